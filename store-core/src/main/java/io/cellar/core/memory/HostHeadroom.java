package io.cellar.core.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The host's {@link FillGate}: a fill step goes ahead only when it leaves room under every memory
 * limit that applies to this process and nobody is waiting for memory or a core. Read from the
 * files under a root directory ({@code /} on a real host; a fake tree in tests):
 *
 * <ul>
 *   <li><b>System memory</b> ({@code /proc/meminfo}): {@code MemAvailable} minus the step stays at
 *       or above an eighth of {@code MemTotal}.
 *   <li><b>The cgroup</b> ({@code /proc/self/cgroup}): with cgroup v2, {@code memory.current} plus
 *       the step stays at or below 7/8 of the lower of {@code memory.high} and {@code memory.max};
 *       with cgroup v1, of {@code memory.limit_in_bytes} against {@code memory.usage_in_bytes}. The
 *       eighth left is room for the page cache and the heap of the process and its neighbours in
 *       the cgroup, which the kernel reclaims first when the limit is near.
 *   <li><b>Pressure</b> ({@code /proc/pressure/memory} and {@code /proc/pressure/cpu}, the kernel's
 *       pressure stall information): the step waits while, over the last 10 seconds, some task
 *       stalled on memory more than {@value #MEMORY_STALL_PERCENT}% of the time, or waited for a
 *       core more than {@value #CPU_STALL_PERCENT}% of the time. A stall is the kernel's own
 *       measure of "someone is waiting for what the filler would take"; prefilling is speculative,
 *       so it must never add to one. Without PSI (older kernels), the one-minute load average at or
 *       above the number of cores stands in for the CPU signal.
 * </ul>
 *
 * An unreadable file means that limit is unknown and does not refuse.
 *
 * <p>Thread-safe and stateless (every call reads the files again; a few small reads per 2 MiB
 * step).
 */
public final class HostHeadroom implements FillGate {
  /** The memory stall share (PSI {@code some avg10}) at or above which filling waits. */
  public static final double MEMORY_STALL_PERCENT = 1.0;

  /** The CPU wait share (PSI {@code some avg10}) at or above which filling waits. */
  public static final double CPU_STALL_PERCENT = 20.0;

  /** Cgroup limits at or above this are "no limit" (the kernel's page-rounded LONG_MAX). */
  private static final long UNLIMITED = 1L << 60;

  private final Path root;
  private final int cores;

  /**
   * The headroom of this host.
   *
   * @return a gate reading {@code /proc} and {@code /sys/fs/cgroup}
   */
  public static HostHeadroom ofHost() {
    return new HostHeadroom(Path.of("/"), Runtime.getRuntime().availableProcessors());
  }

  /**
   * The headroom seen under another root (tests).
   *
   * @param root where {@code proc/} and {@code sys/} are
   * @param cores the number of cores, for the load-average fallback
   */
  public HostHeadroom(Path root, int cores) {
    this.root = root;
    this.cores = cores;
  }

  @Override
  public String refusal(long bytes) {
    String meminfo = read("proc/meminfo");
    long available = meminfo(meminfo, "MemAvailable:");
    long total = meminfo(meminfo, "MemTotal:");
    if (available >= 0 && total > 0 && available - bytes < total / 8) {
      return "MemAvailable " + (available >> 20) + " MiB, floor " + (total / 8 >> 20) + " MiB";
    }
    String cgroup = cgroupRefusal(bytes);
    if (cgroup != null) {
      return cgroup;
    }
    double memoryStall = someAvg10(read("proc/pressure/memory"));
    if (memoryStall >= MEMORY_STALL_PERCENT) {
      return "memory pressure: some avg10=" + memoryStall + "%";
    }
    double cpuStall = someAvg10(read("proc/pressure/cpu"));
    if (cpuStall >= CPU_STALL_PERCENT) {
      return "cpu pressure: some avg10=" + cpuStall + "%";
    }
    if (cpuStall < 0) {
      double load = loadAverage(read("proc/loadavg"));
      if (load >= cores) {
        return "load average " + load + " with " + cores + " cores";
      }
    }
    return null;
  }

  /**
   * The bytes this process's cgroup may still take before the fill rule's 7/8 mark.
   *
   * @return bytes (negative when over), or {@link Long#MAX_VALUE} without a known limit
   */
  public long cgroupRoom() {
    for (String line : read("proc/self/cgroup").split("\n")) {
      String[] f = line.split(":", 3);
      if (f.length < 3) {
        continue;
      }
      if (f[0].equals("0") && f[1].isEmpty()) {
        Path dir = cgroupDir("sys/fs/cgroup", f[2], "memory.current");
        if (dir != null) {
          long limit =
              Math.min(
                  limit(read(dir.resolve("memory.max"))), limit(read(dir.resolve("memory.high"))));
          long used = number(read(dir.resolve("memory.current")));
          if (limit < UNLIMITED && used >= 0) {
            return limit / 8 * 7 - used;
          }
        }
      } else if (("," + f[1] + ",").contains(",memory,")) {
        Path dir = cgroupDir("sys/fs/cgroup/memory", f[2], "memory.usage_in_bytes");
        if (dir != null) {
          long limit = limit(read(dir.resolve("memory.limit_in_bytes")));
          long used = number(read(dir.resolve("memory.usage_in_bytes")));
          if (limit < UNLIMITED && used >= 0) {
            return limit / 8 * 7 - used;
          }
        }
      }
    }
    return Long.MAX_VALUE;
  }

  private String cgroupRefusal(long bytes) {
    long room = cgroupRoom();
    return room < bytes ? "cgroup memory limit: " + (room >> 20) + " MiB left under 7/8" : null;
  }

  /** The cgroup's directory: its path under the mount, else the mount itself (a namespace). */
  private Path cgroupDir(String mount, String path, String probe) {
    Path base = root.resolve(mount);
    Path dir = base.resolve(path.startsWith("/") ? path.substring(1) : path);
    if (Files.exists(dir.resolve(probe))) {
      return dir;
    }
    return Files.exists(base.resolve(probe)) ? base : null;
  }

  private String read(String relative) {
    return read(root.resolve(relative));
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  static long meminfo(String text, String key) {
    for (String line : text.split("\n")) {
      if (line.startsWith(key)) {
        String[] parts = line.substring(key.length()).trim().split("\\s+");
        try {
          return Long.parseLong(parts[0]) << 10;
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }

  /** A cgroup limit file: a number, or {@code max}; unreadable is no limit. */
  private static long limit(String text) {
    String t = text.trim();
    if (t.isEmpty() || t.equals("max")) {
      return Long.MAX_VALUE;
    }
    long n = number(t);
    return n < 0 ? Long.MAX_VALUE : n;
  }

  private static long number(String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** {@code avg10} of the {@code some} line of a PSI file, or -1 when absent. */
  static double someAvg10(String text) {
    for (String line : text.split("\n")) {
      if (line.startsWith("some ")) {
        for (String field : line.split("\\s+")) {
          if (field.startsWith("avg10=")) {
            try {
              return Double.parseDouble(field.substring(6));
            } catch (NumberFormatException e) {
              return -1;
            }
          }
        }
      }
    }
    return -1;
  }

  private static double loadAverage(String text) {
    String[] f = text.trim().split("\\s+");
    try {
      return f.length > 0 ? Double.parseDouble(f[0]) : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public String toString() {
    return "HostHeadroom[" + root + "]";
  }
}
