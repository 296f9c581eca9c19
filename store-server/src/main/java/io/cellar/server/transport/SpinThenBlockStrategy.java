package io.cellar.server.transport;

import io.netty.channel.SelectStrategy;
import io.netty.channel.SelectStrategyFactory;
import io.netty.util.IntSupplier;
import java.util.function.LongSupplier;

/**
 * An event-loop wait strategy that keeps polling (non-blocking {@code epoll_wait}) for a short
 * window after the last I/O, then blocks. A client issuing requests back to back finds the loop
 * awake instead of paying a thread wake-up per request (the dominant cost of a small round trip on
 * these machines: about 60 us for a request whose both ends block, 9 us when both poll); an idle
 * loop blocks as usual and costs nothing.
 *
 * <p>A blocking wait counts as I/O when it returns: the events it delivered are not seen here
 * (Netty processes them between two calls), so the call after a {@link SelectStrategy#SELECT} opens
 * a new window. Without that a loop that once blocked stayed blocking: every request arrived
 * through the blocking wait, none through a poll, and the window never opened again. A timer's
 * wake-up opens a window too, which costs at most one window per timer. Between two polls the loop
 * yields, so a thread waiting for this CPU (the client, on a machine with fewer cores than busy
 * threads) gets it.
 *
 * <p>One instance per event loop, used only by that loop's thread.
 */
public final class SpinThenBlockStrategy implements SelectStrategy {
  private final long spinNanos;
  private final LongSupplier clock;
  private final Runnable pause;
  private long lastActive;
  private boolean blocked;

  SpinThenBlockStrategy(long spinNanos, LongSupplier clock, Runnable pause) {
    this.spinNanos = spinNanos;
    this.clock = clock;
    this.pause = pause;
  }

  /**
   * A factory making one strategy per event loop.
   *
   * @param spinMicros how long to keep polling after the last I/O; 0 blocks at once (Netty's
   *     default behaviour)
   * @return the factory
   */
  public static SelectStrategyFactory factory(long spinMicros) {
    if (spinMicros < 0) {
      throw new IllegalArgumentException("negative polling window " + spinMicros + " us");
    }
    long nanos = spinMicros * 1000;
    return () -> new SpinThenBlockStrategy(nanos, System::nanoTime, Thread::yield);
  }

  @Override
  public int calculateStrategy(IntSupplier selectSupplier, boolean hasTasks) throws Exception {
    if (spinNanos == 0) {
      return hasTasks ? selectSupplier.get() : SelectStrategy.SELECT;
    }
    long now = clock.getAsLong();
    if (blocked) { // the blocking wait returned: what it delivered was I/O
      blocked = false;
      lastActive = now;
    }
    int n = selectSupplier.get();
    if (n > 0) {
      lastActive = now;
      return n;
    }
    if (hasTasks) {
      return n;
    }
    if (now - lastActive < spinNanos) {
      pause.run();
      return SelectStrategy.CONTINUE;
    }
    blocked = true;
    return SelectStrategy.SELECT;
  }
}
