package io.cellar.server.cli;

import io.cellar.core.memory.MemorySize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads {@code --size} as vineyardd does: a value is parsed by store-core's {@link MemorySize}
 * ({@code parse_memory_size}: bytes, or K/M/G/T/P/E as powers of two, only the first suffix letter
 * read, fractions allowed); an empty value or 0 means the cgroup memory limit, else the physical
 * memory, else 16 GiB, as for the reference. A negative or malformed value is an error (the
 * reference reads it as "no limit" too).
 *
 * <p>Stateless and thread-safe.
 */
public final class MemorySizeParser {
  /** The size when nothing better is known: 16 GiB. */
  public static final long FALLBACK = 16L << 30;

  private MemorySizeParser() {}

  /**
   * Parses a size.
   *
   * @param text the flag value
   * @return bytes
   * @throws IllegalArgumentException when the text is not a size
   */
  public static long parse(String text) {
    if (text.isBlank()) {
      return systemDefault();
    }
    long n = MemorySize.parse(text);
    return n == 0 ? systemDefault() : n;
  }

  /**
   * The cgroup limit, else the physical memory, else {@link #FALLBACK}.
   *
   * @return bytes
   */
  public static long systemDefault() {
    long cgroup = readLimit(Path.of("/sys/fs/cgroup/memory.max"));
    if (cgroup <= 0) {
      cgroup = readLimit(Path.of("/sys/fs/cgroup/memory/memory.limit_in_bytes"));
    }
    long physical = physicalMemory();
    if (cgroup > 0 && (physical <= 0 || cgroup < physical)) {
      return cgroup;
    }
    return physical > 0 ? physical : FALLBACK;
  }

  private static long readLimit(Path p) {
    try {
      String s = Files.readString(p).trim().toLowerCase(Locale.ROOT);
      if (s.equals("max")) {
        return -1;
      }
      long v = Long.parseLong(s);
      return v >= (1L << 60) ? -1 : v;
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  private static long physicalMemory() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          String kb = line.substring("MemTotal:".length()).replace("kB", "").trim();
          return Long.parseLong(kb) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // unknown
    }
    return -1;
  }
}
