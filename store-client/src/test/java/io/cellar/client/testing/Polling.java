package io.cellar.client.testing;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Bounded polling for a condition another thread makes true. Stateless and thread-safe. */
public final class Polling {
  private Polling() {}

  /**
   * Polls until the condition holds, failing after 10 seconds.
   *
   * @param what a description for the failure
   * @param condition the condition
   */
  public static void until(String what, BooleanSupplier condition) {
    long end = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + what);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }
}
