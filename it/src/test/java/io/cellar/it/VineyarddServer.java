package io.cellar.it;

import io.cellar.client.IpcClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * A JUnit 5 extension that runs a vineyardd as its own OS process for a test class: Cellar's
 * ({@code io.cellar.server.Vineyardd} from the test classpath, the same classes {@code
 * bin/vineyardd} runs) or the reference C++ binary from the {@code vineyard-bdist} wheel. It picks
 * a temporary socket and a free RPC port, waits (bounded, by polling) until both accept, stops the
 * process after the class, and attaches the server's log to any failing test.
 *
 * <p>Not thread-safe: one instance per test class, set up and torn down by JUnit's thread; the
 * accessors may be read from any thread once started.
 */
public final class VineyarddServer
    implements BeforeAllCallback, AfterAllCallback, TestExecutionExceptionHandler {
  /** Which implementation to run. */
  public enum Kind {
    /** Cellar's Java server. */
    CELLAR,
    /** The reference C++ vineyardd shipped in the Python wheel. */
    REFERENCE
  }

  private final Kind kind;
  private final String size;
  private final List<String> extraArgs;
  private Path dir;
  private Path socket;
  private Path log;
  private int rpcPort;
  private Process process;

  private VineyarddServer(Kind kind, String size, List<String> extraArgs) {
    this.kind = kind;
    this.size = size;
    this.extraArgs = extraArgs;
  }

  /**
   * Cellar's server with a shared-memory limit.
   *
   * @param size the {@code --size} value, for example {@code 1G}
   * @param extraArgs more flags
   * @return the extension
   */
  public static VineyarddServer cellar(String size, String... extraArgs) {
    if ("reference".equals(System.getProperty("cellar.it.server"))) {
      // to check a test itself against the reference: -Dcellar.it.server=reference
      return new VineyarddServer(Kind.REFERENCE, size, List.of());
    }
    return new VineyarddServer(Kind.CELLAR, size, List.of(extraArgs));
  }

  /**
   * The reference vineyardd (skips the class when the wheel does not ship it).
   *
   * @param size the {@code --size} value
   * @return the extension
   */
  public static VineyarddServer reference(String size) {
    return new VineyarddServer(Kind.REFERENCE, size, List.of());
  }

  /**
   * Which server this is.
   *
   * @return the kind
   */
  public Kind kind() {
    return kind;
  }

  /**
   * The IPC socket.
   *
   * @return the path
   */
  public Path socket() {
    return socket;
  }

  /**
   * The RPC port on 127.0.0.1.
   *
   * @return the port
   */
  public int rpcPort() {
    return rpcPort;
  }

  /**
   * The server's process id.
   *
   * @return the pid
   */
  public long pid() {
    return process.pid();
  }

  /**
   * Opens a new IPC client to this server.
   *
   * @return the client, owned by the caller
   */
  public IpcClient connect() throws IOException {
    return IpcClient.connect(socket);
  }

  /**
   * The server's log so far.
   *
   * @return the text
   */
  public String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dir = Files.createTempDirectory("cellar-it");
    socket = dir.resolve("vineyard.sock");
    log = dir.resolve("vineyardd.log");
    try (ServerSocket probe = new ServerSocket(0)) {
      rpcPort = probe.getLocalPort();
    }
    List<String> command = new ArrayList<>();
    if (kind == Kind.CELLAR) {
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(
          List.of(
              "--enable-native-access=ALL-UNNAMED",
              "-Xmx128m",
              "-XX:+UseSerialGC",
              "-cp",
              System.getProperty("java.class.path"),
              "io.cellar.server.Vineyardd",
              "--rpc_host=127.0.0.1"));
    } else {
      Optional<Path> binary = PythonEnvironment.get().referenceVineyardd();
      Assumptions.assumeTrue(
          binary.isPresent(), "the vineyard-bdist wheel ships no vineyardd for this platform");
      command.add(binary.get().toString());
    }
    command.addAll(
        List.of(
            "--socket=" + socket,
            "--size=" + size,
            "--meta=local",
            "--rpc_socket_port=" + rpcPort));
    command.addAll(extraArgs);
    process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      Deadline.await(
          "vineyardd to accept on " + socket + " and port " + rpcPort,
          Duration.ofSeconds(60),
          () -> {
            if (!process.isAlive()) {
              throw new AssertionError(
                  "vineyardd exited with " + process.exitValue() + ":\n" + log());
            }
            if (!Files.exists(socket)) {
              return false;
            }
            try (IpcClient probe = IpcClient.connect(socket);
                Socket tcp = new Socket()) {
              tcp.connect(new InetSocketAddress("127.0.0.1", rpcPort), 1000);
              if (probe.server() == null) {
                return false;
              }
            }
            // Cellar plays a short client session against itself once listening: wait for its
            // end, so tests that count connections or memory see only their own
            return kind != Kind.CELLAR
                || log().contains("warm-up done")
                || log().contains("warm-up stopped");
          });
    } catch (AssertionError e) {
      stop();
      throw new AssertionError(e.getMessage() + "\n--- vineyardd log ---\n" + log(), e);
    }
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable throwable)
      throws Throwable {
    throwable.addSuppressed(new ServerLog(kind + " vineyardd log (" + log + "):\n" + log()));
    throw throwable;
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    stop();
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Carries a server log in a test failure's report. */
  static final class ServerLog extends Exception {
    private static final long serialVersionUID = 1L;

    ServerLog(String text) {
      super(text, null, false, false);
    }
  }
}
