package io.cellar.server.transport;

import io.netty.channel.SelectStrategy;
import io.netty.channel.SelectStrategyFactory;
import io.netty.util.IntSupplier;

/**
 * An event-loop wait strategy that keeps polling (non-blocking {@code epoll_wait}) for a short
 * window after the last I/O, then blocks. A client issuing requests back to back finds the loop
 * awake instead of paying a thread wake-up per request (the dominant cost of a small round trip on
 * these machines); an idle loop blocks as usual and costs nothing.
 *
 * <p>One instance per event loop, used only by that loop's thread.
 */
public final class SpinThenBlockStrategy implements SelectStrategy {
  private final long spinNanos;
  private long lastActive;

  private SpinThenBlockStrategy(long spinNanos) {
    this.spinNanos = spinNanos;
  }

  /**
   * A factory making one strategy per event loop.
   *
   * @param spinMicros how long to keep polling after the last I/O; 0 blocks at once (Netty's
   *     default behaviour)
   * @return the factory
   */
  public static SelectStrategyFactory factory(long spinMicros) {
    long nanos = spinMicros * 1000;
    return () -> new SpinThenBlockStrategy(nanos);
  }

  @Override
  public int calculateStrategy(IntSupplier selectSupplier, boolean hasTasks) throws Exception {
    if (hasTasks) {
      int n = selectSupplier.get();
      if (n > 0) {
        lastActive = System.nanoTime();
      }
      return n;
    }
    if (spinNanos == 0) {
      return SelectStrategy.SELECT;
    }
    int n = selectSupplier.get();
    long now = System.nanoTime();
    if (n > 0) {
      lastActive = now;
      return n;
    }
    return now - lastActive < spinNanos ? SelectStrategy.CONTINUE : SelectStrategy.SELECT;
  }
}
