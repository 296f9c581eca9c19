package io.cellar.testing.k8s;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Polls a real condition until it holds or a deadline passes: the one way this package waits for
 * something (never a fixed sleep). The pause between attempts grows from 20 ms to 250 ms.
 *
 * <p>Stateless; safe from any thread.
 */
final class Poll {
  private static final long FIRST_PAUSE_MS = 20;
  private static final long MAX_PAUSE_MS = 250;

  /** One attempt at the condition: a value when it holds, empty while it does not yet. */
  @FunctionalInterface
  interface Probe<T> {
    /**
     * Tries once.
     *
     * @return the value once the condition holds, empty otherwise
     * @throws Exception when this attempt failed; polling goes on, and the last failure is reported
     *     if the deadline passes
     */
    Optional<T> attempt() throws Exception;
  }

  private Poll() {}

  /**
   * Polls {@code probe} until it yields a value.
   *
   * @param what the condition, for the error message ("kube-apiserver /readyz answers ok")
   * @param timeout how long to keep trying
   * @param probe the condition
   * @param giveUp checked before each attempt: a non-null answer (for instance "etcd exited") means
   *     waiting is pointless, and it becomes the error message at once
   * @return the probe's value
   * @throws IllegalStateException when {@code giveUp} answers or the deadline passes
   * @throws InterruptedException when the calling thread is interrupted
   */
  static <T> T until(String what, Duration timeout, Probe<T> probe, Supplier<String> giveUp)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = FIRST_PAUSE_MS;
    Exception lastFailure = null;
    while (true) {
      String reason = giveUp.get();
      if (reason != null) {
        throw new IllegalStateException("gave up waiting for " + what + ": " + reason, lastFailure);
      }
      try {
        Optional<T> value = probe.attempt();
        if (value.isPresent()) {
          return value.get();
        }
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        lastFailure = e;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(
            "timed out after "
                + timeout.toMillis()
                + " ms waiting for "
                + what
                + (lastFailure == null ? "" : "; last attempt failed: " + lastFailure),
            lastFailure);
      }
      Thread.sleep(pause);
      pause = Math.min(MAX_PAUSE_MS, pause * 2);
    }
  }
}
