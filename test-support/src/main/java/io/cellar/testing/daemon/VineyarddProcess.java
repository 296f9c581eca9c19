package io.cellar.testing.daemon;

import io.cellar.testing.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * One vineyardd running as its own OS process: a temporary directory holds its socket (unless one
 * is given) and its log (stdout and stderr), the RPC and metrics ports are free ports on 127.0.0.1.
 * {@link Builder#start()} returns once the daemon is ready by the reference launcher's own rule
 * (Python's {@code start_vineyardd}): its socket and its RPC port (and metrics port, when asked
 * for) accept connections. It waits on real conditions only: each poll connects, and the wait
 * between polls ends at once when the process exits.
 *
 * <p>Not thread-safe for starting and stopping (one owner); the accessors may be read from any
 * thread once started. Owns the process and the temporary directory until {@link #close()}.
 */
public final class VineyarddProcess implements AutoCloseable {
  /** How long {@link #stop()} waits after SIGTERM before SIGKILL. */
  public static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

  private final DaemonKind kind;
  private final Process process;
  private final Path dir;
  private final Path socket;
  private final Path log;
  private final int rpcPort;
  private final int metricsPort;
  private Integer exitCode;
  private boolean killed;

  private VineyarddProcess(
      DaemonKind kind,
      Process process,
      Path dir,
      Path socket,
      Path log,
      int rpcPort,
      int metricsPort) {
    this.kind = kind;
    this.process = process;
    this.dir = dir;
    this.socket = socket;
    this.log = log;
    this.rpcPort = rpcPort;
    this.metricsPort = metricsPort;
  }

  /**
   * A daemon to start.
   *
   * @param command how to launch it
   * @return a builder with the defaults: {@code --size=256M}, local metadata, RPC on a free port,
   *     no metrics
   */
  public static Builder builder(DaemonCommand command) {
    return new Builder(command);
  }

  /** What to start; not thread-safe, used once. */
  public static final class Builder {
    private final DaemonCommand command;
    private String size = "256M";
    private boolean rpc = true;
    private boolean metrics;
    private Path socket;
    private final List<String> flags = new ArrayList<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private Duration startTimeout = Duration.ofSeconds(60);

    private Builder(DaemonCommand command) {
      this.command = command;
    }

    /**
     * The shared-memory limit.
     *
     * @param size the {@code --size} value, for example {@code 1G}
     * @return this builder
     */
    public Builder size(String size) {
      this.size = size;
      return this;
    }

    /**
     * Whether to serve RPC (on a free port of 127.0.0.1 for Cellar, of every address for the
     * reference); on by default.
     *
     * @param on false for {@code --norpc}
     * @return this builder
     */
    public Builder rpc(boolean on) {
      this.rpc = on;
      return this;
    }

    /**
     * Serves Prometheus metrics on a free port (Cellar's {@code --metrics_port}).
     *
     * @return this builder
     */
    public Builder metrics() {
      this.metrics = true;
      return this;
    }

    /**
     * Listens on this socket instead of one in the temporary directory.
     *
     * @param path the socket path (its parents are created by the daemon)
     * @return this builder
     */
    public Builder socket(Path path) {
      this.socket = path;
      return this;
    }

    /**
     * More flags, after the harness's own.
     *
     * @param more flags such as {@code --spill_path=/tmp/x}
     * @return this builder
     */
    public Builder flags(String... more) {
      flags.addAll(List.of(more));
      return this;
    }

    /**
     * An environment variable of the daemon.
     *
     * @param name the variable
     * @param value its value
     * @return this builder
     */
    public Builder environment(String name, String value) {
      environment.put(name, value);
      return this;
    }

    /**
     * How long the daemon may take to become ready.
     *
     * @param timeout the limit; 60 s by default
     * @return this builder
     */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /**
     * Which daemon this starts.
     *
     * @return the kind
     */
    public DaemonKind kind() {
      return command.kind();
    }

    /**
     * Starts the daemon and waits until it is ready.
     *
     * @return the running daemon, owned by the caller
     * @throws IOException when it exits, or is not ready in time (the daemon is then stopped; the
     *     message holds its log)
     */
    public VineyarddProcess start() throws IOException {
      Path dir = Files.createTempDirectory("vineyardd-");
      Path sock = socket != null ? socket : dir.resolve("vineyard.sock");
      Path logFile = dir.resolve("vineyardd.log");
      int rpcPort = rpc ? FreePorts.next() : -1;
      int metricsPort = metrics ? FreePorts.next() : -1;
      List<String> args = new ArrayList<>();
      args.add("--socket=" + sock);
      args.add("--size=" + size);
      args.add("--meta=local");
      if (rpc) {
        args.add("--rpc_socket_port=" + rpcPort);
        if (command.kind() == DaemonKind.CELLAR) {
          args.add("--rpc_host=127.0.0.1");
        }
      } else {
        args.add("--norpc");
      }
      if (metrics) {
        args.add("--metrics_port=" + metricsPort);
      }
      args.addAll(flags);
      ProcessBuilder pb =
          new ProcessBuilder(command.command(args))
              .redirectErrorStream(true)
              .redirectOutput(logFile.toFile());
      pb.environment().putAll(environment);
      VineyarddProcess daemon =
          new VineyarddProcess(
              command.kind(), pb.start(), dir, sock, logFile, rpcPort, metricsPort);
      try {
        daemon.awaitReady(startTimeout);
      } catch (IOException | RuntimeException e) {
        daemon.close();
        throw e;
      }
      return daemon;
    }
  }

  private void awaitReady(Duration limit) throws IOException {
    long end = System.nanoTime() + limit.toNanos();
    long pauseMillis = 1;
    while (true) {
      if (!process.isAlive()) {
        throw new IOException(
            kind
                + " vineyardd exited with "
                + process.exitValue()
                + " before it was ready:\n"
                + log());
      }
      if (accepts()) {
        return;
      }
      if (System.nanoTime() > end) {
        throw new IOException(
            kind + " vineyardd was not ready within " + limit + " on " + socket + ":\n" + log());
      }
      try {
        process.onExit().get(pauseMillis, TimeUnit.MILLISECONDS); // ends at once on exit
      } catch (TimeoutException e) {
        pauseMillis = Math.min(pauseMillis * 2, 50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for vineyardd", e);
      } catch (ExecutionException e) {
        throw new IOException(e);
      }
    }
  }

  /**
   * Whether the daemon accepts connections on its socket and its ports right now.
   *
   * @return true when every endpoint accepts
   */
  public boolean accepts() {
    if (!Files.exists(socket)) {
      return false;
    }
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      return false;
    }
    return (rpcPort < 0 || tcpAccepts(rpcPort)) && (metricsPort < 0 || tcpAccepts(metricsPort));
  }

  private static boolean tcpAccepts(int port) {
    try (Socket tcp = new Socket()) {
      tcp.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Which daemon this is.
   *
   * @return the kind
   */
  public DaemonKind kind() {
    return kind;
  }

  /**
   * The IPC socket.
   *
   * @return its path
   */
  public Path socket() {
    return socket;
  }

  /**
   * The RPC port on 127.0.0.1.
   *
   * @return the port, or -1 when RPC is off
   */
  public int rpcPort() {
    return rpcPort;
  }

  /**
   * The Prometheus metrics port on 127.0.0.1.
   *
   * @return the port, or -1 when metrics are off
   */
  public int metricsPort() {
    return metricsPort;
  }

  /**
   * The process.
   *
   * @return the process
   */
  public Process process() {
    return process;
  }

  /**
   * The process id.
   *
   * @return the pid
   */
  public long pid() {
    return process.pid();
  }

  /**
   * The log file (stdout and stderr).
   *
   * @return its path; removed by {@link #close()}
   */
  public Path logFile() {
    return log;
  }

  /**
   * The daemon's log so far.
   *
   * @return the text, or a note when it cannot be read
   */
  public String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /**
   * Stops the daemon: SIGTERM, then SIGKILL after {@link #STOP_TIMEOUT}. Idempotent.
   *
   * @return the exit code
   */
  public int stop() {
    if (exitCode == null) {
      process.destroy();
      try {
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          killed = true;
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
      exitCode = process.isAlive() ? -1 : process.exitValue();
    }
    return exitCode;
  }

  /**
   * Whether {@link #stop()} had to kill the daemon because it did not exit after SIGTERM.
   *
   * @return true when it was killed
   */
  public boolean wasKilled() {
    return killed;
  }

  /**
   * Stops the daemon if it runs and removes the temporary directory (log included), as far as it
   * can: a directory left behind in the temporary file system is harmless.
   */
  @Override
  public void close() {
    stop();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      // best effort, see above
    }
  }

  @Override
  public String toString() {
    return kind + " vineyardd pid " + process.pid() + " on " + socket;
  }
}
