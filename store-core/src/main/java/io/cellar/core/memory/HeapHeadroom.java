package io.cellar.core.memory;

import io.cellar.protocol.CellarException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import javax.management.NotificationEmitter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the JVM heap, where the metadata of every blob and object lives, has room for more. The
 * figure is what the last collection of the heap's long-lived pool left in it (live data, not
 * garbage waiting for a collection), against that pool's maximum. Past {@link #LIMIT} of it, new
 * blobs and objects are refused with {@code NotEnoughMemory} (41), a reply the client can act on,
 * instead of the JVM running into an {@code OutOfMemoryError} at some random point of an event loop
 * — which could take the daemon, and every object in its shared memory, with it.
 *
 * <p>Deleting objects frees heap only at the next collection of that pool, which a store that no
 * longer grows may not run for a long time: a refused request therefore asks for one (at most one
 * per {@link #RECHECK_NANOS}, and one more after each delete, see {@link #freed}) and decides again
 * on what it left, so creation resumes right after a delete.
 *
 * <p>Thread-safe: the figures are updated by the JVM's notification thread after each collection
 * and read by any thread.
 */
public final class HeapHeadroom {
  private static final Logger LOG = LoggerFactory.getLogger(HeapHeadroom.class);

  /** The share of the long-lived pool's maximum past which creation is refused. */
  public static final double LIMIT = 0.9;

  /** The least time between two collections asked for by refused requests. */
  static final long RECHECK_NANOS = 2_000_000_000L;

  private static final HeapHeadroom JVM = ofThisJvm();

  private final AtomicLong lastRecheck = new AtomicLong(Long.MIN_VALUE);

  /** Set by {@link #freed} while full: the next refusal may collect before its interval is up. */
  private volatile boolean freedSinceRecheck;

  private final Runnable collect;
  private final LongSupplier clock;
  private volatile Reading last = Reading.NONE;

  /**
   * What a collection of the long-lived pool left.
   *
   * @param used bytes in use after it
   * @param max the pool's maximum; not positive means unknown
   */
  private record Reading(long used, long max) {
    static final Reading NONE = new Reading(0, -1);

    boolean full() {
      return max > 0 && used > LIMIT * max;
    }

    long percent() {
      return Math.round(100.0 * used / max);
    }
  }

  /**
   * A headroom fed by {@link #update}.
   *
   * @param collect runs a collection and feeds what it left to {@link #update}
   * @param clock nanoseconds, for the rate of {@code collect}
   */
  HeapHeadroom(Runnable collect, LongSupplier clock) {
    this.collect = collect;
    this.clock = clock;
  }

  /**
   * The headroom of this JVM's heap, shared by every store in it.
   *
   * @return the one instance
   */
  public static HeapHeadroom ofJvm() {
    return JVM;
  }

  private static HeapHeadroom ofThisJvm() {
    MemoryPoolMXBean oldest = longLivedPool();
    if (oldest == null) {
      LOG.debug("no heap pool with collection usage and a maximum: heap headroom not watched");
      return new HeapHeadroom(() -> {}, System::nanoTime);
    }
    HeapHeadroom[] self = new HeapHeadroom[1];
    Runnable read =
        () -> {
          MemoryUsage after = oldest.getCollectionUsage();
          if (after != null) {
            self[0].update(after.getUsed(), after.getMax());
          }
        };
    // the notification of an asked-for collection comes later, on another thread: read at once
    self[0] =
        new HeapHeadroom(
            () -> {
              System.gc();
              read.run();
            },
            System::nanoTime);
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener((n, h) -> read.run(), null, null);
      }
    }
    return self[0];
  }

  /**
   * The heap pool that holds what lives long (the old generation): of the pools that report usage
   * after collections and have a maximum, the one with the largest maximum.
   */
  private static MemoryPoolMXBean longLivedPool() {
    MemoryPoolMXBean best = null;
    List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans();
    for (MemoryPoolMXBean pool : pools) {
      if (pool.getType() != MemoryType.HEAP || !pool.isCollectionUsageThresholdSupported()) {
        continue;
      }
      long poolMax = pool.getUsage().getMax();
      if (poolMax > 0 && (best == null || poolMax > best.getUsage().getMax())) {
        best = pool;
      }
    }
    return best;
  }

  /**
   * Records what a collection of the long-lived pool left.
   *
   * @param used bytes in use after it
   * @param poolMax the pool's maximum; not positive means unknown (never full)
   */
  void update(long used, long poolMax) {
    Reading now = new Reading(used, poolMax);
    boolean wasFull = last.full();
    last = now;
    if (now.full() != wasFull) {
      LOG.warn(
          now.full()
              ? "the heap is {}% full after a collection ({} of {} MiB): new blobs and objects are"
                  + " refused until objects are deleted"
              : "the heap is back to {}% ({} of {} MiB) after a collection: creation resumes",
          now.percent(),
          used >> 20,
          poolMax >> 20);
    }
  }

  /**
   * Tells the guard that metadata was let go of (objects or blobs deleted): while the heap is full,
   * the next refused request then asks for a collection at once instead of waiting out {@link
   * #RECHECK_NANOS}, so that a client that deletes and puts again is not refused for what it
   * already deleted. At most one such collection per call of this method.
   */
  public void freed() {
    if (last.full()) {
      freedSinceRecheck = true;
    }
  }

  /**
   * Fails when the heap has no room for more metadata.
   *
   * @param what what was asked for, for the message (for example {@code "a blob"})
   * @throws CellarException {@code NotEnoughMemory} (41) while the heap is past {@link #LIMIT}
   */
  public void require(String what) {
    if (!last.full()) {
      return;
    }
    long now = clock.getAsLong();
    long before = lastRecheck.get();
    boolean due = before == Long.MIN_VALUE || now - before >= RECHECK_NANOS || freedSinceRecheck;
    if (due && lastRecheck.compareAndSet(before, now)) {
      freedSinceRecheck = false;
      collect.run(); // objects may have been deleted since: see what a collection leaves
    }
    Reading reading = last;
    if (reading.full()) {
      throw CellarException.notEnoughMemory(
          "cannot create "
              + what
              + ": the server's heap, which holds the metadata of every object, is "
              + reading.percent()
              + "% full ("
              + (reading.used() >> 20)
              + " of "
              + (reading.max() >> 20)
              + " MiB); delete objects, or give the daemon a larger heap (-Xmx in"
              + " CELLAR_JAVA_OPTS)");
    }
  }
}
