package io.cellar.server.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cellar.client.InstanceStatus;
import io.cellar.client.IpcClient;
import io.cellar.testing.daemon.DaemonCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The start-up warm-up is invisible: a client that connects in a tight loop from the moment the
 * socket path appears finds an empty store (no object, no blob, no name, no memory used, no other
 * connection), and after a clean shutdown the daemon's log holds no warning or error, of the
 * warm-up or otherwise. Run on the main class and, once the server is packaged, on {@code
 * bin/vineyardd} (which also trains its class-data archive with the same warm-up).
 */
class InvisibleWarmupIT {
  @TempDir Path dir;
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  static Stream<Arguments> launchers() {
    List<Arguments> all = new ArrayList<>();
    all.add(Arguments.of("main class", DaemonCommand.cellarMain()));
    DaemonCommand.findLauncher()
        .ifPresent(
            script -> all.add(Arguments.of("bin/vineyardd", DaemonCommand.cellarLauncher(script))));
    return all.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("launchers")
  void aClientFromTheFirstMomentFindsAnEmptyStoreAndTheLogStaysClean(
      String name, DaemonCommand command) throws Exception {
    Path socket = dir.resolve("vineyard.sock");
    Path log = dir.resolve("vineyardd.log");
    Process daemon =
        new ProcessBuilder(
                command.command(
                    List.of(
                        "--socket=" + socket,
                        "--size=64M",
                        "--rpc_host=127.0.0.1",
                        "--rpc_socket_port=0")))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    started.add(daemon);

    IpcClient client = connectTheMomentTheSocketAppears(daemon, socket, log);
    try (client) {
      assertTrue(client.listData("*", false, 1000).isEmpty(), "no object and no blob");
      assertTrue(client.listNames("*", false, 1000).isEmpty(), "no name");
      InstanceStatus status = client.instanceStatus();
      assertEquals(0, status.memoryUsage(), "no memory used");
      assertEquals(1, status.ipcConnections(), "no connection but this one");
      assertEquals(0, status.rpcConnections());
      assertEquals(0, status.deferredRequests());
    }

    daemon.destroy(); // SIGTERM
    assertTrue(daemon.waitFor(30, TimeUnit.SECONDS), "exits after SIGTERM");
    String text = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, daemon.exitValue(), text);
    assertTrue(text.contains("warm-up done"), "the warm-up ran before the socket:\n" + text);
    assertTrue(
        text.indexOf("warm-up done") < text.indexOf("will listen on"),
        "the warm-up ended before the socket was bound:\n" + text);
    for (String line : text.split("\n")) {
      assertFalse(line.contains(" WARN ") || line.contains(" ERROR "), "logged: " + line);
      assertFalse(line.contains("Broken pipe") || line.contains("Exception"), "logged: " + line);
    }
  }

  /**
   * Polls for the socket file without pausing and connects as soon as it exists (a connect refused
   * between bind and listen is retried at once).
   */
  private static IpcClient connectTheMomentTheSocketAppears(Process daemon, Path socket, Path log)
      throws IOException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < end) {
      if (!daemon.isAlive()) {
        fail("vineyardd exited with " + daemon.exitValue() + ":\n" + Files.readString(log));
      }
      if (Files.exists(socket)) {
        try {
          return IpcClient.connect(socket);
        } catch (IOException e) {
          // bound but not listening yet: try again
        }
      }
      Thread.onSpinWait();
    }
    fail("no socket within 60 s:\n" + Files.readString(log));
    return null;
  }
}
