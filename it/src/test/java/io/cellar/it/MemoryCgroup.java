package io.cellar.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A child memory cgroup with a limit, made under this JVM's own memory cgroup (v1: {@code
 * /sys/fs/cgroup/memory/...}; v2: {@code /sys/fs/cgroup/...} when its parent delegates the memory
 * controller), for a process started inside it ({@link #wrapper()}). Its counters are read as the
 * kernel keeps them: usage, peak usage, how often the limit was hit, OOM kills, and the shared
 * memory charged to it.
 *
 * <p>Needs root: {@link #createOrSkip} skips the test, saying why, when the cgroup cannot be made.
 * {@link #close} removes it (its processes must have exited).
 */
final class MemoryCgroup implements AutoCloseable {
  private final Path dir;
  private final boolean v1;

  private MemoryCgroup(Path dir, boolean v1) {
    this.dir = dir;
    this.v1 = v1;
  }

  /**
   * Makes a child of this JVM's memory cgroup limited to {@code limit} bytes.
   *
   * @param name the child's directory name
   * @param limit the limit in bytes
   * @return the cgroup
   * @throws IOException when the cgroup files cannot be read
   */
  static MemoryCgroup createOrSkip(String name, long limit) throws IOException {
    assumeTrue("root".equals(System.getProperty("user.name")), "making a cgroup needs root");
    for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
      String[] f = line.split(":", 3);
      if (f.length < 3) {
        continue;
      }
      if (("," + f[1] + ",").contains(",memory,")) {
        Path parent = Path.of("/sys/fs/cgroup/memory" + f[2]);
        assumeTrue(Files.isDirectory(parent), "no v1 memory cgroup directory at " + parent);
        MemoryCgroup c = new MemoryCgroup(make(parent.resolve(name)), true);
        c.limitOrSkip("memory.limit_in_bytes", limit);
        return c;
      }
      if (f[0].equals("0") && f[1].isEmpty()) {
        Path parent = Path.of("/sys/fs/cgroup" + f[2]);
        Path control = parent.resolve("cgroup.subtree_control");
        assumeTrue(
            Files.isReadable(control) && Files.readString(control).contains("memory"),
            "the v2 cgroup " + parent + " does not delegate the memory controller");
        MemoryCgroup c = new MemoryCgroup(make(parent.resolve(name)), false);
        c.limitOrSkip("memory.max", limit);
        return c;
      }
    }
    assumeTrue(false, "this process is in no memory cgroup");
    throw new AssertionError("unreachable");
  }

  private static Path make(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      Files.delete(dir); // a leftover of a killed run: empty, or the delete fails loudly
    }
    try {
      Files.createDirectory(dir);
    } catch (IOException e) {
      assumeTrue(false, "cannot make the cgroup " + dir + ": " + e);
    }
    return dir;
  }

  /**
   * A wrapper for {@code DaemonCommand.wrappedBy}: a shell that moves itself into this cgroup, then
   * execs the daemon (which so starts inside it).
   *
   * @return the wrapper's command
   */
  List<String> wrapper() {
    return List.of(
        "/bin/sh", "-c", "echo $$ > \"$0\" && exec \"$@\"", dir.resolve("cgroup.procs").toString());
  }

  /** The bytes charged now. */
  long usage() throws IOException {
    return number(v1 ? "memory.usage_in_bytes" : "memory.current");
  }

  /** The most bytes ever charged (v2 without {@code memory.peak}: -1). */
  long peak() throws IOException {
    if (v1) {
      return number("memory.max_usage_in_bytes");
    }
    return Files.exists(dir.resolve("memory.peak")) ? number("memory.peak") : -1;
  }

  /** How often a charge hit the limit (v1 {@code failcnt}, v2 {@code memory.events max}). */
  long limitHits() throws IOException {
    return v1 ? number("memory.failcnt") : field("memory.events", "max");
  }

  /** OOM kills in this cgroup (0 where the kernel does not count them). */
  long oomKills() throws IOException {
    return v1 ? field("memory.oom_control", "oom_kill") : field("memory.events", "oom_kill");
  }

  /** The shared memory (shmem, tmpfs and memfd pages) charged to this cgroup. */
  long shmem() throws IOException {
    return field("memory.stat", "shmem");
  }

  /** The counters, for messages. */
  String counters() {
    try {
      return String.format(
          "usage %d MiB, peak %d MiB, shmem %d MiB, limit hits %d, oom kills %d",
          usage() >> 20, peak() >> 20, shmem() >> 20, limitHits(), oomKills());
    } catch (IOException e) {
      return "(counters unreadable: " + e + ")";
    }
  }

  @Override
  public String toString() {
    return dir.toString();
  }

  @Override
  public void close() throws IOException {
    if (Files.isDirectory(dir)) {
      Files.delete(dir); // rmdir: fails while a process is still inside
    }
  }

  private long number(String file) throws IOException {
    return Long.parseLong(Files.readString(dir.resolve(file)).trim());
  }

  private long field(String file, String key) throws IOException {
    for (String line : Files.readAllLines(dir.resolve(file))) {
      String[] kv = line.trim().split("\\s+");
      if (kv.length == 2 && kv[0].equals(key)) {
        return Long.parseLong(kv[1]);
      }
    }
    return 0;
  }

  /** Sets the limit; a kernel that refuses it skips the test (the cgroup is removed). */
  private void limitOrSkip(String file, long limit) throws IOException {
    try {
      Files.writeString(dir.resolve(file), Long.toString(limit), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      close();
      assumeTrue(false, "cannot set " + dir.resolve(file) + ": " + e);
    }
  }
}
