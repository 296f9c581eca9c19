package io.cellar.it;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Bounded polling for conditions another process makes true (a socket appearing, memory usage going
 * down). Each poll parks briefly; a test never sleeps a fixed time to synchronise.
 *
 * <p>Stateless and thread-safe.
 */
final class Deadline {
  private Deadline() {}

  /** A condition that may throw while it is being checked. */
  @FunctionalInterface
  interface Check {
    boolean test() throws Exception;
  }

  /**
   * Polls until {@code condition} holds.
   *
   * @param what a description for the failure message
   * @param limit how long to wait at most
   * @param condition the condition; exceptions count as "not yet"
   * @throws AssertionError when the time runs out; carries the last exception
   */
  static void await(String what, Duration limit, Check condition) {
    long end = System.nanoTime() + limit.toNanos();
    Exception last = null;
    long pause = 1_000_000;
    while (true) {
      try {
        if (condition.test()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() > end) {
        AssertionError error =
            new AssertionError("timed out after " + limit + " waiting for " + what);
        if (last != null) {
          error.initCause(last);
        }
        throw error;
      }
      LockSupport.parkNanos(pause);
      pause = Math.min(pause * 2, 50_000_000);
    }
  }

  /**
   * Polls a boolean condition.
   *
   * @param what a description for the failure message
   * @param limit how long to wait at most
   * @param condition the condition
   */
  static void awaitTrue(String what, Duration limit, BooleanSupplier condition) {
    await(what, limit, condition::getAsBoolean);
  }
}
