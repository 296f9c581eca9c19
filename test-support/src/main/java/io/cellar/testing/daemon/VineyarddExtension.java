package io.cellar.testing.daemon;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * A JUnit 5 extension running one vineyardd ({@link VineyarddProcess}) for a test class: started
 * before the class's tests, its log attached to every failing test, stopped after them with a check
 * that it exited (status 0 for Cellar, which also must not have logged any of the {@link
 * #forbidding forbidden} lines: a Netty leak report, a warm-up that stopped or failed).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final VineyarddExtension SERVER =
 *     VineyarddExtension.starting(() -> VineyarddProcess.builder(DaemonCommand.cellarMain()).size("1G"));
 * }</pre>
 *
 * <p>Not thread-safe: one instance per test class, started and stopped by JUnit's thread; the
 * accessors may be read from any thread once started.
 */
public final class VineyarddExtension
    implements BeforeAllCallback, AfterAllCallback, TestExecutionExceptionHandler {
  /** Lines a Cellar daemon's log must not hold by default. */
  public static final List<String> CELLAR_FORBIDDEN =
      List.of("LEAK:", "warm-up stopped", "warm-up failed");

  /** Builds what to start; may abort the class with a JUnit assumption (no reference binary). */
  @FunctionalInterface
  public interface Starter {
    /**
     * What to start.
     *
     * @return the builder
     * @throws Exception when it cannot be set up (an assumption failure skips the class)
     */
    VineyarddProcess.Builder builder() throws Exception;
  }

  private final Starter starter;
  private final List<String> forbidden = new ArrayList<>();
  private VineyarddProcess daemon;

  private VineyarddExtension(Starter starter) {
    this.starter = starter;
  }

  /**
   * An extension starting what {@code starter} builds.
   *
   * @param starter builds the daemon; called in {@code beforeAll}
   * @return the extension
   */
  public static VineyarddExtension starting(Starter starter) {
    return new VineyarddExtension(starter);
  }

  /**
   * Fails the class after the daemon stopped if its log holds any of these strings (for a Cellar
   * daemon, in addition to {@link #CELLAR_FORBIDDEN}).
   *
   * @param lines substrings that must not occur
   * @return this extension
   */
  public VineyarddExtension forbidding(String... lines) {
    forbidden.addAll(List.of(lines));
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    daemon = starter.builder().start();
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable throwable)
      throws Throwable {
    if (daemon != null) {
      throwable.addSuppressed(new DaemonLog(daemon + " log:\n" + daemon.log()));
    }
    throw throwable;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (daemon == null) {
      return;
    }
    try {
      int status = daemon.stop();
      String log = daemon.log();
      if (daemon.wasKilled()) {
        throw new AssertionError(
            daemon
                + " did not exit within "
                + VineyarddProcess.STOP_TIMEOUT
                + " of SIGTERM:\n"
                + log);
      }
      if (daemon.kind() == DaemonKind.CELLAR) {
        if (status != 0) {
          throw new AssertionError(daemon + " exited with " + status + " after SIGTERM:\n" + log);
        }
        List<String> check = new ArrayList<>(CELLAR_FORBIDDEN);
        check.addAll(forbidden);
        for (String line : check) {
          if (log.contains(line)) {
            throw new AssertionError(daemon + " logged '" + line + "':\n" + log);
          }
        }
      } else {
        for (String line : forbidden) {
          if (log.contains(line)) {
            throw new AssertionError(daemon + " logged '" + line + "':\n" + log);
          }
        }
      }
    } finally {
      daemon.close();
      daemon = null;
    }
  }

  private VineyarddProcess running() {
    if (daemon == null) {
      throw new IllegalStateException("the daemon runs only while the test class runs");
    }
    return daemon;
  }

  /**
   * The running daemon.
   *
   * @return the daemon
   */
  public VineyarddProcess daemon() {
    return running();
  }

  /**
   * Which daemon runs.
   *
   * @return the kind
   */
  public DaemonKind kind() {
    return running().kind();
  }

  /**
   * The IPC socket.
   *
   * @return its path
   */
  public java.nio.file.Path socket() {
    return running().socket();
  }

  /**
   * The RPC port on 127.0.0.1.
   *
   * @return the port, or -1
   */
  public int rpcPort() {
    return running().rpcPort();
  }

  /**
   * The metrics port on 127.0.0.1.
   *
   * @return the port, or -1
   */
  public int metricsPort() {
    return running().metricsPort();
  }

  /**
   * The daemon process.
   *
   * @return the process
   */
  public Process process() {
    return running().process();
  }

  /**
   * The daemon's process id.
   *
   * @return the pid
   */
  public long pid() {
    return running().pid();
  }

  /**
   * The daemon's log so far.
   *
   * @return the text
   */
  public String log() {
    return running().log();
  }

  /** Carries a daemon's log in a failing test's report. */
  static final class DaemonLog extends Exception {
    private static final long serialVersionUID = 1L;

    DaemonLog(String text) {
      super(text, null, false, false);
    }
  }
}
