package io.cellar.testing.etcd;

import io.cellar.testing.FreePorts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * One etcd member process on loopback: its name, client and peer ports, data directory and log.
 * {@link #start} waits for the member's own "ready to serve client requests" line (no sleeping);
 * the member can be killed, paused, resumed, started again on the same data, or wiped.
 *
 * <p>Not thread-safe: driven by one test thread. The log file collects every run of the member.
 */
public final class EtcdMember {
  private static final String READY_LINE = "ready to serve client requests";

  private final String etcdCmd;
  private final String name;
  private final int clientPort;
  private final int peerPort;
  private final Path dataDir;
  private final Path log;
  private Process process;

  EtcdMember(String etcdCmd, String name, Path dir) {
    this.etcdCmd = etcdCmd;
    this.name = name;
    this.clientPort = FreePorts.next();
    this.peerPort = FreePorts.next();
    this.dataDir = dir.resolve(name + ".etcd");
    this.log = dir.resolve(name + ".log");
  }

  /**
   * The member's name.
   *
   * @return for example {@code m0}
   */
  public String name() {
    return name;
  }

  /**
   * The client URL.
   *
   * @return {@code http://127.0.0.1:<port>}
   */
  public String clientUrl() {
    return "http://127.0.0.1:" + clientPort;
  }

  /**
   * The peer URL.
   *
   * @return {@code http://127.0.0.1:<port>}
   */
  public String peerUrl() {
    return "http://127.0.0.1:" + peerPort;
  }

  /**
   * The client port.
   *
   * @return the port
   */
  public int clientPort() {
    return clientPort;
  }

  /**
   * The process id of the running member.
   *
   * @return the pid
   * @throws IllegalStateException when the member is not running
   */
  public long pid() {
    if (process == null || !process.isAlive()) {
      throw new IllegalStateException(name + " is not running");
    }
    return process.pid();
  }

  /**
   * Whether the process is running (it may be paused).
   *
   * @return true while alive
   */
  public boolean running() {
    return process != null && process.isAlive();
  }

  /**
   * Starts the member and returns once it serves clients.
   *
   * @param initialCluster the {@code --initial-cluster} value
   * @param clusterState {@code new} or {@code existing}
   * @param token the {@code --initial-cluster-token}
   * @param awaitReady whether to wait for the ready line (a member of a cluster that has no quorum
   *     yet is never ready alone)
   * @return a future completed when the member is ready
   */
  CompletableFuture<Void> start(
      String initialCluster, String clusterState, String token, boolean awaitReady) {
    if (running()) {
      throw new IllegalStateException(name + " is already running");
    }
    List<String> command =
        List.of(
            etcdCmd,
            "--name",
            name,
            "--data-dir",
            dataDir.toString(),
            "--listen-client-urls",
            clientUrl(),
            "--advertise-client-urls",
            clientUrl(),
            "--listen-peer-urls",
            peerUrl(),
            "--initial-advertise-peer-urls",
            peerUrl(),
            "--initial-cluster",
            initialCluster,
            "--initial-cluster-state",
            clusterState,
            "--initial-cluster-token",
            token,
            "--heartbeat-interval",
            "10",
            "--election-timeout",
            "100");
    CompletableFuture<Void> ready = new CompletableFuture<>();
    try {
      Files.writeString(
          log,
          "--- start: " + String.join(" ", command) + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + etcdCmd, e);
    }
    Process started = process;
    Thread.ofPlatform().daemon().name("etcd-log-" + name).start(() -> copyOutput(started, ready));
    if (awaitReady) {
      awaitReady(ready, Duration.ofSeconds(30));
    }
    return ready;
  }

  void awaitReady(CompletableFuture<Void> ready, Duration timeout) {
    try {
      ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(name + " did not start:\n" + log(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(name + " not ready in " + timeout + ":\n" + log(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private void copyOutput(Process p, CompletableFuture<Void> ready) {
    try (BufferedReader in =
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Writer out =
            Files.newBufferedWriter(
                log,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
      String line;
      while ((line = in.readLine()) != null) {
        out.write(line);
        out.write('\n');
        out.flush();
        if (line.contains(READY_LINE)) {
          ready.complete(null);
        }
      }
    } catch (IOException e) {
      ready.completeExceptionally(e);
    }
    ready.completeExceptionally(new IllegalStateException(name + " exited"));
  }

  /** Kills the member with SIGKILL and waits until it is gone; its data stays. */
  public void kill() {
    if (process == null) {
      return;
    }
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(name + " did not die");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Pauses the member (SIGSTOP). */
  public void pause() {
    PosixSignals.stop(pid());
  }

  /** Resumes a paused member (SIGCONT). */
  public void resume() {
    PosixSignals.resume(pid());
  }

  /** Deletes the member's data directory (the member must be stopped). */
  void wipeData() {
    if (running()) {
      throw new IllegalStateException(name + " is running");
    }
    if (!Files.exists(dataDir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dataDir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The member's log so far (every run).
   *
   * @return the text
   */
  public String log() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no log)";
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  Path logFile() {
    return log;
  }
}
