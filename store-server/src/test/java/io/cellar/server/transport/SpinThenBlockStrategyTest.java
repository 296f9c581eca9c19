package io.cellar.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.channel.SelectStrategy;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SpinThenBlockStrategyTest {
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final AtomicInteger ready = new AtomicInteger();
  private final AtomicInteger pauses = new AtomicInteger();
  private final SpinThenBlockStrategy strategy =
      new SpinThenBlockStrategy(50_000, now::get, pauses::incrementAndGet);

  private int next() throws Exception {
    return strategy.calculateStrategy(ready::get, false);
  }

  @Test
  void pollsWithinTheWindowAfterPolledIoThenBlocks() throws Exception {
    ready.set(1);
    assertEquals(1, next());
    ready.set(0);
    now.addAndGet(49_000);
    assertEquals(SelectStrategy.CONTINUE, next());
    assertEquals(1, pauses.get());
    now.addAndGet(2_000);
    assertEquals(SelectStrategy.SELECT, next());
  }

  @Test
  void aRequestDeliveredByTheBlockingWaitOpensAWindow() throws Exception {
    now.addAndGet(1_000_000); // idle long past any window
    assertEquals(SelectStrategy.SELECT, next());
    // the blocking wait returned with the request; Netty handled it; the next call polls
    now.addAndGet(10_000);
    assertEquals(SelectStrategy.CONTINUE, next());
    now.addAndGet(30_000);
    assertEquals(SelectStrategy.CONTINUE, next());
    now.addAndGet(21_000);
    assertEquals(SelectStrategy.SELECT, next());
  }

  @Test
  void pendingTasksNeverBlock() throws Exception {
    now.addAndGet(1_000_000);
    assertEquals(0, strategy.calculateStrategy(ready::get, true));
    assertEquals(0, pauses.get());
  }

  @Test
  void zeroWindowBlocksAtOnceAndNegativeIsRefused() throws Exception {
    SpinThenBlockStrategy off = new SpinThenBlockStrategy(0, now::get, pauses::incrementAndGet);
    assertEquals(SelectStrategy.SELECT, off.calculateStrategy(ready::get, false));
    ready.set(2);
    assertEquals(2, off.calculateStrategy(ready::get, true));
    assertThrows(IllegalArgumentException.class, () -> SpinThenBlockStrategy.factory(-1));
  }
}
