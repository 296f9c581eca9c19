package io.cellar.bench.client;

import io.cellar.client.IpcClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Cellar's {@code bin/vineyardd} as its own OS process for one benchmark trial: a temporary
 * directory holds {@code vineyard.sock} and the log, the RPC port is a free port on 127.0.0.1.
 * {@link #start} returns once the socket and the port accept; {@link #close} stops the process and
 * removes the directory.
 *
 * <p>The script is {@code $CELLAR_VINEYARDD} if set, else {@code bin/vineyardd} in the working
 * directory or one of its parents ({@code bench/run} runs JMH from the repository root). {@code
 * $CELLAR_SERVER_ARGS} adds flags (space-separated), for example {@code --busy_poll_us=50}.
 *
 * <p>Not thread-safe: started and closed by JMH's setup and teardown thread.
 */
final class ServerProcess implements AutoCloseable {
  private final Process process;
  private final Path dir;
  private final Path socket;
  private final Path log;
  private final int rpcPort;

  private ServerProcess(Process process, Path dir, Path socket, Path log, int rpcPort) {
    this.process = process;
    this.dir = dir;
    this.socket = socket;
    this.log = log;
    this.rpcPort = rpcPort;
  }

  /**
   * Starts a server and waits (60 s at most) until it accepts on both the socket and the port.
   *
   * @param size the {@code --size} value, for example {@code 2G}
   * @return the running server, owned by the caller
   * @throws IOException when it cannot start or exits early (the message holds its log)
   */
  static ServerProcess start(String size) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("cellar-jmh");
    Path socket = dir.resolve("vineyard.sock");
    Path log = dir.resolve("vineyardd.log");
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    List<String> command = new ArrayList<>();
    command.add(script().toString());
    command.addAll(
        List.of(
            "--socket=" + socket,
            "--size=" + size,
            "--rpc_host=127.0.0.1",
            "--rpc_socket_port=" + port));
    String extra = System.getenv("CELLAR_SERVER_ARGS");
    if (extra != null && !extra.isBlank()) {
      command.addAll(List.of(extra.trim().split("\\s+")));
    }
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    ServerProcess server = new ServerProcess(process, dir, socket, log, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      if (!process.isAlive()) {
        String text = Files.readString(log);
        server.close();
        throw new IOException("vineyardd exited with " + process.exitValue() + ":\n" + text);
      }
      if (server.accepts()) {
        return server;
      }
      if (System.nanoTime() > deadline) {
        String text = Files.readString(log);
        server.close();
        throw new IOException("vineyardd did not accept within 60 s:\n" + text);
      }
      Thread.sleep(50);
    }
  }

  private boolean accepts() {
    if (!Files.exists(socket)) {
      return false;
    }
    try (IpcClient probe = IpcClient.connect(socket);
        Socket tcp = new Socket()) {
      tcp.connect(new InetSocketAddress("127.0.0.1", rpcPort), 1000);
      return probe.server() != null;
    } catch (IOException e) {
      return false;
    }
  }

  private static Path script() {
    String configured = System.getenv("CELLAR_VINEYARDD");
    if (configured != null && !configured.isEmpty()) {
      return Path.of(configured);
    }
    for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
      Path candidate = at.resolve("bin/vineyardd");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "bin/vineyardd not found from " + Path.of("").toAbsolutePath() + "; set CELLAR_VINEYARDD");
  }

  /**
   * The IPC socket.
   *
   * @return its path
   */
  Path socket() {
    return socket;
  }

  /**
   * The RPC port on 127.0.0.1.
   *
   * @return the port
   */
  int rpcPort() {
    return rpcPort;
  }

  /** Stops the server (SIGTERM, then SIGKILL after 20 s) and removes its directory. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is harmless
    }
  }
}
