package io.cellar.testing.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Picks free TCP ports on 127.0.0.1 by binding port 0 and releasing it. The ports are free at the
 * moment of the call; a process elsewhere may take one before it is used, which shows up as a
 * component failing to bind (and so a clear start failure), never as a silent mix-up.
 *
 * <p>Stateless; safe from any thread.
 */
final class FreePorts {
  private FreePorts() {}

  /**
   * Returns {@code count} distinct free loopback ports (all held open together while picking, so
   * they differ).
   *
   * @param count how many ports
   * @return the port numbers
   */
  static int[] pick(int count) {
    ServerSocket[] sockets = new ServerSocket[count];
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        sockets[i] = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("could not pick free loopback ports", e);
    } finally {
      for (ServerSocket socket : sockets) {
        if (socket != null) {
          try {
            socket.close();
          } catch (IOException ignored) {
            // a socket that fails to close here holds nothing we need
          }
        }
      }
    }
  }
}
