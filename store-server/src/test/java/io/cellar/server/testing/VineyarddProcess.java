package io.cellar.server.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * A JUnit 5 extension running {@code vineyardd} as its own OS process on a temporary socket, the
 * same JVM and classpath as the tests but a separate process: started before the class's tests
 * (skipped while the store is not built), stopped after them, its log attached to any failure.
 * Readiness is polled with a bounded deadline; nothing sleeps to synchronise.
 *
 * <p>Not thread-safe: one instance per test class, used by its test thread.
 */
public final class VineyarddProcess
    implements BeforeAllCallback, AfterAllCallback, TestExecutionExceptionHandler {
  private static final Pattern RPC = Pattern.compile(":(\\d+) for RPC");
  private static final Pattern METRICS = Pattern.compile("http://0\\.0\\.0\\.0:(\\d+)/metrics");

  private final List<String> extraArgs;
  private Path dir;
  private Path socket;
  private Path log;
  private Process process;

  /**
   * A server with extra flags on top of the test defaults ({@code --size=256M}, RPC on 127.0.0.1
   * with any free port).
   *
   * @param extraArgs more flags
   */
  public VineyarddProcess(String... extraArgs) {
    this.extraArgs = List.of(extraArgs);
  }

  /**
   * The command line that runs the daemon from the test classpath.
   *
   * @param args the daemon's flags
   * @return the command
   */
  public static List<String> command(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-Xmx96m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Dio.netty.leakDetection.level=paranoid");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.cellar.server.Vineyardd");
    cmd.addAll(args);
    return cmd;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Assumptions.assumeTrue(StoreAvailability.built(), "store-core's Store is not built yet");
    dir = Files.createTempDirectory("vineyardd-test");
    socket = dir.resolve("vineyard.sock");
    log = dir.resolve("vineyardd.log");
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "--socket=" + socket,
            "--size=256M",
            "--rpc_host=127.0.0.1",
            "--rpc_socket_port=0",
            "--metrics_port=0"));
    args.addAll(extraArgs);
    process =
        new ProcessBuilder(command(args))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    awaitListening(process, socket, log, Duration.ofSeconds(30));
    if (!args.contains("--nowarmup")) {
      awaitWarmUp(process, log, Duration.ofSeconds(60));
    }
  }

  /**
   * Waits until a server's self warm-up has ended (its log says "warm-up done" or "warm-up
   * stopped"), so that tests counting connections or memory see only their own clients.
   *
   * @param process the server process
   * @param log its log file
   * @param deadline how long to wait
   * @throws Exception on failure
   */
  public static void awaitWarmUp(Process process, Path log, Duration deadline) throws Exception {
    long end = System.nanoTime() + deadline.toNanos();
    while (System.nanoTime() < end) {
      String text = read(log);
      if (text.contains("warm-up done") || text.contains("warm-up stopped")) {
        return;
      }
      if (!process.isAlive()) {
        fail("vineyardd exited with " + process.exitValue() + ":\n" + text);
      }
      try {
        process.onExit().get(20, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // still warming up: poll again
      }
    }
    fail("vineyardd did not finish its warm-up within " + deadline + ":\n" + read(log));
  }

  /**
   * Waits until a server accepts on its socket, failing with its log if it exits or the deadline
   * passes.
   *
   * @param process the server process
   * @param socket its socket
   * @param log its log file
   * @param deadline how long to wait
   * @throws Exception on failure
   */
  public static void awaitListening(Process process, Path socket, Path log, Duration deadline)
      throws Exception {
    long end = System.nanoTime() + deadline.toNanos();
    while (System.nanoTime() < end) {
      if (!process.isAlive()) {
        fail("vineyardd exited with " + process.exitValue() + ":\n" + read(log));
      }
      if (Files.exists(socket) && io.cellar.server.ipc.SocketFile.isLive(socket)) {
        // the log line follows the bind; wait for it so ports can be read
        if (read(log).contains("will listen on")) {
          return;
        }
      }
      try {
        process.onExit().get(20, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // still running: poll again
      }
    }
    fail("vineyardd did not listen within " + deadline + ":\n" + read(log));
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      String text = log();
      if (text.contains("LEAK:")) {
        fail("vineyardd leaked buffers (Netty leak detector):\n" + text);
      }
    }
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable t) throws Throwable {
    t.addSuppressed(new AssertionError("vineyardd log:\n" + log()));
    throw t;
  }

  /**
   * The server's socket.
   *
   * @return the path
   */
  public Path socket() {
    return socket;
  }

  /**
   * The server process.
   *
   * @return the process
   */
  public Process process() {
    return process;
  }

  /**
   * The server's log so far.
   *
   * @return the text
   */
  public String log() {
    return read(log);
  }

  /**
   * The RPC port, read from the listening log line.
   *
   * @return the port
   */
  public int rpcPort() {
    Matcher m = RPC.matcher(log());
    if (!m.find()) {
      throw new IllegalStateException("no RPC port in the log:\n" + log());
    }
    return Integer.parseInt(m.group(1));
  }

  /**
   * The metrics port, read from the log.
   *
   * @return the port
   */
  public int metricsPort() {
    Matcher m = METRICS.matcher(log());
    if (!m.find()) {
      throw new IllegalStateException("no metrics port in the log:\n" + log());
    }
    return Integer.parseInt(m.group(1));
  }

  /**
   * Reads a log file.
   *
   * @param log the file
   * @return its text, or a note when unreadable
   */
  public static String read(Path log) {
    try {
      return log == null ? "(no log)" : Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }
}
