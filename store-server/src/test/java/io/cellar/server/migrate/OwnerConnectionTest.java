package io.cellar.server.migrate;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An owner that accepts the connection and then says nothing does not hold a migration forever. */
class OwnerConnectionTest {
  @Test
  void anOwnerThatNeverAnswersTheRegistrationFailsTheConnectionAfterTheStallTimeout()
      throws Exception {
    List<Socket> accepted = new ArrayList<>();
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      accepted.add(silent.accept()); // and never a byte back
                    } catch (IOException e) {
                      // closed at the end of the test
                    }
                  });
      String endpoint = "127.0.0.1:" + silent.getLocalPort();
      IOException e =
          assertTimeoutPreemptively(
              Duration.ofSeconds(30),
              () ->
                  assertThrows(
                      IOException.class,
                      () -> OwnerConnection.open(endpoint, Duration.ofMillis(300)).close()));
      assertTrue(
          e.getMessage().contains("the owner " + endpoint + " sent nothing for 300 ms"),
          e.getMessage());
      acceptor.join();
    } finally {
      for (Socket s : accepted) {
        s.close();
      }
    }
  }
}
