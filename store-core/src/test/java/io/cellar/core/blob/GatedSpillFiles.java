package io.cellar.core.blob;

import io.cellar.core.spill.SpillFiles;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A spill directory whose writes and reads can be held at their start (to catch a blob
 * mid-transfer) or slowed (to widen the windows a stress test can hit). Thread-safe.
 */
final class GatedSpillFiles implements SpillFiles {
  private final SpillFiles real;
  private final long delayMillis;
  private volatile Gate writes;
  private volatile Gate reads;

  /** A latch pair: the transfer says it has entered, then waits to be let through. */
  static final class Gate {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    void awaitEntered() throws InterruptedException {
      if (!entered.await(30, TimeUnit.SECONDS)) {
        throw new AssertionError("the transfer never started");
      }
    }

    void open() {
      release.countDown();
    }

    void pass() {
      entered.countDown();
      try {
        if (!release.await(30, TimeUnit.SECONDS)) {
          throw new AssertionError("the gate was never opened");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  GatedSpillFiles(SpillFiles real, long delayMillis) {
    this.real = real;
    this.delayMillis = delayMillis;
  }

  /** Holds the next write at its start. */
  Gate holdNextWrite() {
    Gate g = new Gate();
    writes = g;
    return g;
  }

  /** Holds the next read at its start. */
  Gate holdNextRead() {
    Gate g = new Gate();
    reads = g;
    return g;
  }

  @Override
  public void write(long blobId, MemorySegment data) {
    Gate g = writes;
    if (g != null) {
      writes = null;
      g.pass();
    }
    slow();
    real.write(blobId, data);
  }

  @Override
  public void read(long blobId, MemorySegment dest) {
    Gate g = reads;
    if (g != null) {
      reads = null;
      g.pass();
    }
    slow();
    real.read(blobId, dest);
  }

  @Override
  public void delete(long blobId) {
    real.delete(blobId);
  }

  @Override
  public void close() {
    real.close();
  }

  /** Stands for a slow disk: the transfer takes this long, so that other threads overlap it. */
  private void slow() {
    if (delayMillis > 0) {
      try {
        Thread.sleep(delayMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
