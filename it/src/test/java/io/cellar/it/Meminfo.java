package io.cellar.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The host's {@code /proc/meminfo}, for tests that watch shared memory come and go ({@code Shmem},
 * {@code ShmemHugePages}). Host-wide: other processes move these numbers too.
 *
 * <p>Stateless and thread-safe.
 */
final class Meminfo {
  private Meminfo() {}

  /**
   * One value.
   *
   * @param field the field with its colon, for example {@code ShmemHugePages:}
   * @return the value in bytes
   * @throws IOException when the file cannot be read or has no such field
   */
  static long bytes(String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.substring(field.length()).replace("kB", "").trim()) << 10;
      }
    }
    throw new IOException("no " + field + " in /proc/meminfo");
  }
}
