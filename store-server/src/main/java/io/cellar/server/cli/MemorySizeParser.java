package io.cellar.server.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads {@code --size} as vineyardd does ({@code parse_memory_size}): a plain number of bytes, or a
 * number with a suffix K, M, G, T, P or E meaning powers of two (only the first suffix letter
 * counts, so {@code Gi} and {@code GB} work too). An empty value means the cgroup memory limit,
 * else the physical memory, else 16 GiB.
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
    String t = text.trim();
    if (t.isEmpty()) {
      return systemDefault();
    }
    int i = 0;
    while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
      i++;
    }
    if (i == 0) {
      throw new IllegalArgumentException("not a memory size: '" + text + "'");
    }
    double number;
    try {
      number = Double.parseDouble(t.substring(0, i));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a memory size: '" + text + "'", e);
    }
    String suffix = t.substring(i).trim();
    int shift = 0;
    if (!suffix.isEmpty()) {
      shift =
          switch (Character.toUpperCase(suffix.charAt(0))) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            case 'P' -> 50;
            case 'E' -> 60;
            case 'B' -> 0;
            default ->
                throw new IllegalArgumentException(
                    "unknown memory size suffix in '" + text + "' (use K, M, G, T, P or E)");
          };
    }
    double bytes = number * Math.pow(2, shift);
    if (bytes >= 0x1p63) {
      throw new IllegalArgumentException("memory size too large: '" + text + "'");
    }
    return (long) bytes;
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
