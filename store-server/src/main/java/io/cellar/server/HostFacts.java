package io.cellar.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Host facts the reference reports: the host name ({@code MY_HOST_NAME}, else the kernel's) and the
 * node name ({@code MY_NODE_NAME}, else the host name). Read without DNS so start-up stays fast.
 *
 * <p>Stateless and thread-safe.
 */
final class HostFacts {
  private HostFacts() {}

  static String hostname() {
    String env = System.getenv("MY_HOST_NAME");
    if (env != null && !env.isEmpty()) {
      return env;
    }
    try {
      String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
      if (!h.isEmpty()) {
        return h;
      }
    } catch (IOException e) {
      // fall through
    }
    String h = System.getenv("HOSTNAME");
    return h == null || h.isEmpty() ? "localhost" : h;
  }

  static String nodename() {
    String env = System.getenv("MY_NODE_NAME");
    return env != null && !env.isEmpty() ? env : hostname();
  }

  /** A number for this host and start, like the reference's {@code gethostid() | cycles}. */
  static long hostId() {
    return (ProcessHandle.current().pid() << 32) ^ System.nanoTime() & Long.MAX_VALUE;
  }
}
