package io.cellar.testing.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * A real etcd cluster of one or three members on free loopback ports, each with its own data
 * directory and the fast election flags ({@code --heartbeat-interval 10 --election-timeout 100}).
 * As a JUnit 5 extension ({@code @RegisterExtension static}) it starts before the class and kills
 * every member by pid after it, and attaches the members' logs to a failing test; it can also be
 * used directly ({@link #start()} and {@link #close()}).
 *
 * <p>The etcd binary is {@code -Dcellar.etcd.cmd} or {@code etcd} on the {@code PATH} (Debian's
 * {@code etcd-server}; {@code .ci/run} installs it). {@code etcdctl} is found the same way ({@code
 * -Dcellar.etcdctl.cmd}).
 *
 * <p>Not thread-safe: driven by the test thread. Readiness is the member's own ready line, never a
 * sleep.
 */
public final class EtcdCluster
    implements BeforeAllCallback, AfterAllCallback, TestExecutionExceptionHandler, AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  private final int size;
  private final List<EtcdMember> members = new ArrayList<>();
  private String token = "cellar-test";
  private Path dir;

  private EtcdCluster(int size) {
    this.size = size;
  }

  /**
   * A one-member cluster.
   *
   * @return the cluster, not started
   */
  public static EtcdCluster single() {
    return new EtcdCluster(1);
  }

  /**
   * A cluster of several members.
   *
   * @param size the member count (3 for a quorum that survives one loss)
   * @return the cluster, not started
   */
  public static EtcdCluster ofMembers(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("size " + size);
    }
    return new EtcdCluster(size);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable throwable)
      throws Throwable {
    for (EtcdMember member : members) {
      throwable.addSuppressed(new MemberLog(member.name() + " log:\n" + tail(member.log(), 200)));
    }
    throw throwable;
  }

  /**
   * Starts every member and waits until all serve clients.
   *
   * @return this cluster
   */
  public EtcdCluster start() {
    if (dir != null) {
      throw new IllegalStateException("already started");
    }
    try {
      dir = Files.createTempDirectory("cellar-etcd");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String etcd = System.getProperty("cellar.etcd.cmd", "etcd");
    for (int i = 0; i < size; i++) {
      members.add(new EtcdMember(etcd, "m" + i, dir));
    }
    startAll("new");
    return this;
  }

  private void startAll(String state) {
    String initialCluster = initialCluster();
    List<CompletableFuture<Void>> ready = new ArrayList<>();
    for (EtcdMember member : members) {
      ready.add(member.start(initialCluster, state, token, false));
    }
    for (int i = 0; i < members.size(); i++) {
      members.get(i).awaitReady(ready.get(i), READY_TIMEOUT);
    }
  }

  private String initialCluster() {
    return members.stream().map(m -> m.name() + "=" + m.peerUrl()).collect(Collectors.joining(","));
  }

  /**
   * The client URLs of every member, comma-separated (the {@code --etcd_endpoint} form).
   *
   * @return for example {@code http://127.0.0.1:40001,http://127.0.0.1:40003}
   */
  public String endpoints() {
    return members.stream().map(EtcdMember::clientUrl).collect(Collectors.joining(","));
  }

  /**
   * One member.
   *
   * @param index 0-based
   * @return the member
   */
  public EtcdMember member(int index) {
    return members.get(index);
  }

  /**
   * Every member.
   *
   * @return the members, in index order
   */
  public List<EtcdMember> members() {
    return List.copyOf(members);
  }

  /**
   * Kills a member with SIGKILL; its data stays for {@link #restart}.
   *
   * @param index the member
   */
  public void kill(int index) {
    members.get(index).kill();
  }

  /**
   * Starts a killed member again on its data and waits until it serves clients (it needs a quorum
   * of the others to be ready).
   *
   * @param index the member
   */
  public void restart(int index) {
    EtcdMember member = members.get(index);
    member.start(initialCluster(), "existing", token, true);
  }

  /**
   * Loses every member's data: kills them all, deletes their data directories and starts a new
   * cluster on the same ports, so clients see the same endpoints with an empty store (revisions
   * start again from 1). With the same token the new cluster has the same cluster id.
   *
   * @param newToken the {@code --initial-cluster-token} of the new cluster, or null to keep the old
   *     one (a different token gives a different cluster id)
   */
  public void wipe(String newToken) {
    for (EtcdMember member : members) {
      member.kill();
      member.wipeData();
    }
    if (newToken != null) {
      token = newToken;
    }
    startAll("new");
  }

  /**
   * The index of the current leader, asked of the members with {@code etcdctl endpoint status}.
   *
   * @return the leader's index
   * @throws IllegalStateException when no member reports a leader
   */
  public int leaderIndex() {
    String status = etcdctl("endpoint", "status", "-w", "json");
    Matcher m =
        Pattern.compile(
                "\"Endpoint\":\"([^\"]+)\".*?\"member_id\":(\\d+).*?\"leader\":(\\d+)",
                Pattern.DOTALL)
            .matcher(status);
    while (m.find()) {
      if (m.group(2).equals(m.group(3))) {
        for (int i = 0; i < members.size(); i++) {
          if (members.get(i).clientUrl().equals(m.group(1))) {
            return i;
          }
        }
      }
    }
    throw new IllegalStateException("no leader in: " + status);
  }

  /**
   * Runs {@code etcdctl} (API v3) against the running members.
   *
   * @param args its arguments, for example {@code get --prefix /vineyard}
   * @return its standard output
   * @throws IllegalStateException when it fails or runs over 30 s
   */
  public String etcdctl(String... args) {
    List<String> command = new ArrayList<>();
    command.add(System.getProperty("cellar.etcdctl.cmd", "etcdctl"));
    command.add(
        "--endpoints="
            + members.stream()
                .filter(EtcdMember::running)
                .map(EtcdMember::clientUrl)
                .collect(Collectors.joining(",")));
    command.addAll(List.of(args));
    try {
      ProcessBuilder builder = new ProcessBuilder(command);
      builder.environment().put("ETCDCTL_API", "3");
      Path out = Files.createTempFile(dir, "etcdctl", ".out");
      Path err = Files.createTempFile(dir, "etcdctl", ".err");
      Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " ran over 30 s");
      }
      String stdout = Files.readString(out, StandardCharsets.UTF_8);
      String stderr = Files.readString(err, StandardCharsets.UTF_8);
      Files.delete(out);
      Files.delete(err);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " exited " + p.exitValue() + ": " + stderr + stdout);
      }
      return stdout;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Kills every member by pid and deletes the data directories. Idempotent. */
  @Override
  public void close() {
    for (EtcdMember member : members) {
      member.kill();
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        // a leftover temp dir is not worth failing a test for
      }
    }
  }

  private static String tail(String text, int lines) {
    String[] all = text.split("\n");
    int from = Math.max(0, all.length - lines);
    return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
  }

  /** Carries a member's log in a failing test's report. */
  static final class MemberLog extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MemberLog(String log) {
      super(log, null, false, false);
    }
  }
}
