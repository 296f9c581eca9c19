package io.cellar.etcd;

import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local etcd child process, started as the reference's {@code EtcdLauncher} does when the
 * endpoint never answers: a one-member cluster named {@code <hostname>-<epoch seconds>} on the
 * endpoint's port (or the next free one) with the next free port for peers, in {@code
 * etcd_data_dir} or a new temporary directory {@code /tmp/<member>.etcd.XXXX}. Unlike the reference
 * it listens on loopback only, and it removes only a data directory it created. It is ready when
 * etcd prints "ready to serve client requests"; {@link #close} stops it (SIGTERM, then SIGKILL
 * after 10 s).
 *
 * <p>Thread-safe: created once, closed once.
 */
final class EtcdLauncher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdLauncher.class);
  private static final Pattern MEMBER = Pattern.compile("starting member ([0-9a-f]+) in cluster");

  private final Process process;
  private final URI endpoint;
  private final Path dataDir;
  private final boolean ownDataDir;
  private final Deque<String> lastLines = new ArrayDeque<>();
  private volatile long memberId;

  private EtcdLauncher(Process process, URI endpoint, Path dataDir, boolean ownDataDir) {
    this.process = process;
    this.endpoint = endpoint;
    this.dataDir = dataDir;
    this.ownDataDir = ownDataDir;
  }

  /**
   * Launches etcd and waits until it serves clients.
   *
   * @param options the flags ({@code etcd_cmd}, {@code etcd_data_dir})
   * @param wanted the endpoint that did not answer (its port is tried first)
   * @param timeout how long to wait for etcd to be ready
   * @return the running etcd
   * @throws CellarException (EtcdError) when no etcd binary is found or it does not start
   */
  static EtcdLauncher launch(EtcdOptions options, URI wanted, Duration timeout) {
    String cmd = options.etcdCmd().isEmpty() ? onPath("etcd") : options.etcdCmd();
    if (cmd == null || !Files.isExecutable(Path.of(cmd))) {
      throw new CellarException(
          StatusCode.ETCD_ERROR,
          "Failed to find etcd binary, please specify its path using the `--etcd_cmd` argument");
    }
    String member = hostname() + "-" + (System.currentTimeMillis() / 1000);
    int clientPort = freePort(wanted.getPort() > 0 ? wanted.getPort() : 2379);
    int peerPort = freePort(clientPort + 1);
    Path dir = options.etcdDataDir();
    boolean own = dir == null;
    try {
      if (own) {
        dir = Files.createTempDirectory(Path.of("/tmp"), member + ".etcd.");
      } else {
        Files.createDirectories(dir);
      }
    } catch (IOException e) {
      throw new CellarException(
          StatusCode.ETCD_ERROR, "Failed to create etcd data directory: " + e, e);
    }
    String client = "http://127.0.0.1:" + clientPort;
    String peer = "http://127.0.0.1:" + peerPort;
    List<String> command =
        List.of(
            cmd,
            "--initial-cluster-state",
            "new",
            "--initial-cluster",
            member + "=" + peer,
            "--name",
            member,
            "--listen-client-urls",
            client,
            "--advertise-client-urls",
            client,
            "--listen-peer-urls",
            peer,
            "--initial-advertise-peer-urls",
            peer,
            "--data-dir",
            dir.toString());
    LOG.info("Launching etcd with: {}", String.join(" ", command));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new CellarException(
          StatusCode.ETCD_ERROR, "Failed to launch etcd: " + e.getMessage(), e);
    }
    EtcdLauncher launcher = new EtcdLauncher(process, URI.create(client), dir, own);
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread.ofPlatform().daemon().name("etcd-" + member).start(() -> launcher.readOutput(ready));
    try {
      ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      launcher.close();
      throw new CellarException(
          StatusCode.ETCD_ERROR,
          "Etcd has been launched but failed to become ready: " + launcher.lastLines(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      launcher.close();
      throw new CellarException(StatusCode.ETCD_ERROR, "interrupted launching etcd", e);
    }
    LOG.info("Etcd launched: pid = {}, listen on {}", process.pid(), clientPort);
    return launcher;
  }

  private void readOutput(CompletableFuture<Void> ready) {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        LOG.debug("etcd: {}", line);
        synchronized (lastLines) {
          lastLines.addLast(line);
          if (lastLines.size() > 30) {
            lastLines.removeFirst();
          }
        }
        Matcher m = MEMBER.matcher(line);
        if (memberId == 0 && m.find()) {
          memberId = Long.parseUnsignedLong(m.group(1), 16);
        }
        if (line.contains("ready to serve client requests")) {
          ready.complete(null);
        }
      }
    } catch (IOException e) {
      // the process is gone
    }
    ready.completeExceptionally(new IllegalStateException("etcd exited"));
  }

  private String lastLines() {
    synchronized (lastLines) {
      return String.join("\n", lastLines);
    }
  }

  /**
   * The launched etcd's client URL.
   *
   * @return for example {@code http://127.0.0.1:2379}
   */
  URI endpoint() {
    return endpoint;
  }

  /**
   * The launched member's id (the reference publishes it as {@code /instances/i<N>/member_id}).
   *
   * @return the id, 0 when etcd did not print it
   */
  long memberId() {
    return memberId;
  }

  /**
   * The process id.
   *
   * @return the pid
   */
  long pid() {
    return process.pid();
  }

  /** Stops etcd and removes the data directory this launcher created. Idempotent. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    if (ownDataDir && Files.exists(dataDir)) {
      try (Stream<Path> files = Files.walk(dataDir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        LOG.warn("could not remove {}: {}", dataDir, e.toString());
      }
    }
  }

  private static String onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }

  private static int freePort(int from) {
    for (int port = from; port < Math.min(65535, from + 1000); port++) {
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return port;
      } catch (IOException e) {
        // in use: try the next
      }
    }
    throw new CellarException(StatusCode.ETCD_ERROR, "no free port from " + from);
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
