package io.cellar.deploy.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Polls every 2 s (as the reference does) until objects are ready or gone, showing which ones are
 * not yet on the progress line, and fails with the same list when {@code --wait-timeout} passes.
 * Not thread-safe.
 */
final class Waiter {
  static final Duration POLL = Duration.ofSeconds(2);

  private final KubeSession session;
  private final Progress progress;

  Waiter(KubeSession session) {
    this(session, Progress.stderr());
  }

  Waiter(KubeSession session, Progress progress) {
    this.session = session;
    this.progress = progress;
  }

  /**
   * Waits until every object is ready.
   *
   * @param objects the objects (as rendered)
   * @throws UserError naming what is still not ready at the timeout
   */
  void ready(String what, List<? extends HasMetadata> objects) {
    poll(
        what,
        () -> {
          List<String> waiting = new ArrayList<>();
          for (HasMetadata o : objects) {
            Optional<String> why = Readiness.notReady(session.client(), o);
            why.ifPresent(waiting::add);
          }
          return waiting;
        },
        "ready");
  }

  /**
   * Waits until every object is gone.
   *
   * @param objects the objects
   * @throws UserError naming what is still there at the timeout
   */
  void gone(String what, List<? extends HasMetadata> objects) {
    poll(
        what,
        () -> {
          List<String> left = new ArrayList<>();
          for (HasMetadata o : objects) {
            if (session.client().resource(o).get() != null) {
              left.add(Readiness.describe(o));
            }
          }
          return left;
        },
        "deleted");
  }

  private interface Check {
    List<String> pending();
  }

  private void poll(String what, Check check, String state) {
    if (!session.globals().wait) {
      return;
    }
    long start = System.nanoTime();
    long deadline = start + session.globals().waitTimeout.toNanos();
    List<String> pending = List.of();
    while (true) {
      try {
        pending = check.pending();
      } catch (KubernetesClientException e) {
        pending = List.of("the API server: " + KubeSession.rootMessage(e));
      }
      long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
      if (pending.isEmpty()) {
        progress.done(what + ": " + state + " after " + seconds + "s");
        return;
      }
      if (System.nanoTime() > deadline) {
        progress.done("");
        throw new UserError(
            what
                + ": not "
                + state
                + " after "
                + session.globals().waitTimeout.toSeconds()
                + "s (--wait-timeout); waiting for: "
                + String.join("; ", pending));
      }
      progress.show(what + " [" + seconds + "s] waiting for: " + String.join("; ", pending));
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UserError("interrupted while waiting for " + what);
      }
    }
  }
}
