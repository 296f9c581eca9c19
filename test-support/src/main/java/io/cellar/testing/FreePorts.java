package io.cellar.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Free TCP ports on the loopback address for the processes tests start (daemons, etcd, the
 * Kubernetes control plane), never the same one twice in this JVM (a port handed out and not yet
 * bound by its process would otherwise be handed out again). A port is free at the moment of the
 * call; a process elsewhere may take it before it is used, which shows up as a component failing to
 * bind (a clear start failure), never as a silent mix-up.
 *
 * <p>Thread-safe.
 */
public final class FreePorts {
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private FreePorts() {}

  /**
   * A port that was free on 127.0.0.1 a moment ago and that this JVM has not handed out before.
   *
   * @return the port
   */
  public static synchronized int next() {
    for (int attempt = 0; attempt < 100; attempt++) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        socket.setReuseAddress(true);
        int port = socket.getLocalPort();
        if (HANDED_OUT.add(port)) {
          return port;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("no free loopback port", e);
      }
    }
    throw new IllegalStateException("no free loopback port after 100 tries");
  }

  /**
   * Several distinct free ports.
   *
   * @param count how many
   * @return the ports
   */
  public static int[] next(int count) {
    int[] ports = new int[count];
    for (int i = 0; i < count; i++) {
      ports[i] = next();
    }
    return ports;
  }
}
