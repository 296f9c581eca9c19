package io.cellar.core.memory;

/**
 * Waiting for a background thread of the store to end, as its owner's {@code close()} does: an
 * interrupt of the closing thread does not cut the wait short (the thread's resources must not
 * outlive {@code close()}), and the interrupt status is restored afterwards.
 */
public final class ThreadJoin {
  private ThreadJoin() {}

  /**
   * Waits until {@code thread} has ended, however often the caller is interrupted meanwhile.
   *
   * @param thread a thread already told to stop
   */
  public static void uninterruptibly(Thread thread) {
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
