package io.cellar.core.memory;

import io.cellar.posix.ProcessCalls;
import java.time.Duration;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a window of never-used arena memory filled with zeroed pages ({@link MemfdArena#zeroFill})
 * ahead of the allocations, on a background thread, so that a client's first write into fresh
 * memory finds its pages present. The first write into fresh shared memory costs a page fault that
 * allocates and clears a page; into prefilled memory it costs a fault that only maps one, about
 * half the time (0.27 s against 0.6 s for 512 MiB here). The clearing moves off the client's
 * critical path and onto this thread, which works while the store is idle.
 *
 * <p><b>Rule.</b> The allocator hands memory out upwards from the low end of the arena, and memory
 * is only ever handed out below the <i>high-water mark</i> (the highest block end ever claimed).
 * This filler writes only at or above that mark, and at most {@code ahead} bytes beyond it. A claim
 * that overlaps the range being written waits for that write (at most {@link #STEP} bytes, about a
 * millisecond), so a zero fill never lands on memory a client has been handed.
 *
 * <p><b>Only when idle, and last.</b> The thread runs at nice {@link ProcessCalls#BACKGROUND_NICE}:
 * whatever else wants the CPU (clients, a pipeline step's own work, other processes on the node)
 * gets it first. Filling while clients write takes a core and memory bandwidth from them (these
 * machines have two cores; a 256 MiB copy into mapped memory took twice as long with the filler
 * running): the filler waits until no claim has come for a quiet period ({@link #QUIET}, 30 ms) and
 * no blob is being written (unsealed), so it works between writes, not during them.
 *
 * <p><b>Cost.</b> The window is committed memory (shared memory of the store) before any client
 * asks for it: at most {@code ahead} bytes beyond the high-water mark, never past the arena. The
 * pages are charged to this process (its memory cgroup), not to the clients that write into them
 * later. Before every step the {@link FillGate} is asked (on a host, {@link HostHeadroom}: room
 * under {@code MemAvailable} and the cgroup's {@code memory.high}/{@code memory.max}, no memory or
 * CPU stall); while it refuses the filler backs off ({@link #BACKOFF}) and asks again, logging the
 * reason once per episode.
 *
 * <p><b>Trim.</b> {@link #rewind} hands the filled window back: the caller (the store, under its
 * lock) frees the pages, the high-water mark drops to where memory is in use now, and with {@code
 * suspend} nothing is filled again until the next claim, so that a trim is not undone behind the
 * caller's back: the filler never writes into ranges a trim gave back before a client allocates
 * again, and then only the window ahead of the new mark.
 *
 * <p><b>Threading.</b> Thread-safe; one daemon thread, {@code cellar-prefill}, started by {@link
 * #start()} once the owner is fully built (so its writer count and its first {@link #activity()}
 * are in place before the first fill), never by the constructor. {@link #close()} stops and joins
 * it, and must come before the arena is closed. A failed fill (e.g. ENOMEM) is logged once and ends
 * the filling; the store goes on without it.
 */
public final class ArenaPrefiller implements AutoCloseable {
  /** Bytes written per step; a claim waits for at most one step. */
  public static final long STEP = 2L << 20;

  /** How long after the last claim the filler waits before it writes again. */
  public static final Duration QUIET = Duration.ofMillis(30);

  /**
   * While a writer is at work (some blob is unsealed) the filler waits, unless no claim has come
   * for this long (a writer that keeps a blob open for long must not stop the filling for good).
   */
  public static final Duration WRITER_GRACE = Duration.ofSeconds(2);

  /** How long the filler waits before asking a refusing {@link FillGate} again. */
  public static final Duration BACKOFF = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(ArenaPrefiller.class);

  private final MemfdArena arena;
  private final long end;
  private final long ahead;
  private final long quietNanos;
  private final FillGate gate;
  private final IntSupplier writers;
  private final Thread thread;

  // guarded by this
  private long highWater;
  private long filledTo;
  private long inflightStart = -1;
  private long inflightEnd = -1;
  private boolean stopped;
  private boolean suspended;
  private boolean waitingForClaim;
  private String refused;
  private volatile long lastClaimNanos;
  private volatile boolean claimedOnce;

  /**
   * A filler of {@code [start, start + ahead)} and up that never waits for writers or the host
   * (tests, embedded use), not yet started.
   *
   * @param arena the arena, which must outlive this filler
   * @param start where the allocator's range begins (nothing below is filled)
   * @param end where it ends (nothing at or above is filled)
   * @param ahead how many bytes beyond the high-water mark to keep filled, at least 1
   */
  public ArenaPrefiller(MemfdArena arena, long start, long end, long ahead) {
    this(arena, start, end, ahead, QUIET, () -> 0, FillGate.OPEN);
  }

  /**
   * A filler with explicit idle and host rules, not yet started.
   *
   * @param arena the arena, which must outlive this filler
   * @param start where the allocator's range begins (nothing below is filled)
   * @param end where it ends (nothing at or above is filled)
   * @param ahead how many bytes beyond the high-water mark to keep filled, at least 1
   * @param quiet how long after a claim to wait before filling again
   * @param writers how many blobs are being written (unsealed) now; called without this filler's
   *     monitor held, so it may take the caller's own lock
   * @param gate asked before every step, without this filler's monitor held ({@link
   *     HostHeadroom#ofHost()} on a real host)
   */
  public ArenaPrefiller(
      MemfdArena arena,
      long start,
      long end,
      long ahead,
      Duration quiet,
      IntSupplier writers,
      FillGate gate) {
    if (ahead <= 0) {
      throw new IllegalArgumentException("ahead must be positive: " + ahead);
    }
    this.arena = arena;
    this.end = end;
    this.ahead = ahead;
    this.quietNanos = quiet.toNanos();
    this.writers = writers;
    this.gate = gate;
    this.highWater = start;
    this.filledTo = start;
    this.thread = Thread.ofPlatform().daemon().name("cellar-prefill").unstarted(this::run);
  }

  /**
   * Starts the filling thread. Call once, after the owner is built and has recorded any activity
   * that is already going on.
   *
   * @return this filler
   * @throws IllegalStateException when already started or closed
   */
  public synchronized ArenaPrefiller start() {
    if (stopped || thread.getState() != Thread.State.NEW) {
      throw new IllegalStateException("prefiller already started or closed: " + this);
    }
    thread.start();
    return this;
  }

  /**
   * Records that {@code [offset, blockEnd)} is being handed out. Waits while a fill overlaps it,
   * then raises the high-water mark, which moves the window up.
   *
   * @param offset the block's first byte
   * @param blockEnd one past its last byte
   */
  public synchronized void claim(long offset, long blockEnd) {
    boolean interrupted = false;
    while (inflightStart >= 0 && offset < inflightEnd && blockEnd > inflightStart) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    lastClaimNanos = System.nanoTime();
    claimedOnce = true;
    if (suspended) {
      suspended = false;
      notifyAll();
    }
    if (blockEnd > highWater) {
      highWater = blockEnd;
      if (waitingForClaim) {
        notifyAll();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Records that clients are at work (a read, a seal, a delete): the filler keeps out of their way
   * for the quiet period, as after a claim. Lock-free (two volatile writes).
   */
  public void activity() {
    lastClaimNanos = System.nanoTime();
    claimedOnce = true;
  }

  /**
   * Gives the filled window back for a trim: waits for the step in flight, moves the high-water
   * mark (and the filled range) to {@code mark}, and with {@code suspend} fills nothing more until
   * the next {@link #claim}. The caller frees the pages of the free ranges up to the returned
   * offset, under the same lock it claims under, so no client is handed memory while it does.
   *
   * @param mark the new high-water mark: the end of the highest block in use now
   * @param suspend fill nothing until the next claim
   * @return the end of what may have been filled so far (at least the old high-water mark)
   */
  public synchronized long rewind(long mark, boolean suspend) {
    boolean interrupted = false;
    while (inflightStart >= 0) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    long top = Math.max(filledTo, highWater);
    highWater = mark;
    filledTo = mark;
    suspended = suspend;
    notifyAll();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return top;
  }

  /**
   * The high-water mark: the window is filled from here up.
   *
   * @return the offset
   */
  public synchronized long highWater() {
    return highWater;
  }

  /**
   * The end of the contiguous filled range, for tests and metrics: every byte between the
   * high-water mark and this offset has been filled.
   *
   * @return the offset the filler has reached
   */
  public synchronized long filledTo() {
    return filledTo;
  }

  /**
   * Waits until the filler has reached an offset, has nothing more to do, or stops.
   *
   * @param offset the offset to wait for (clipped to the window's end)
   * @param timeout the longest wait
   * @return true when {@link #filledTo()} reached the offset
   * @throws InterruptedException when interrupted
   */
  public synchronized boolean awaitFilled(long offset, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long target = Math.min(offset, Math.min(end, highWater + ahead));
    while (filledTo < target && !stopped && !suspended) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
      target = Math.min(offset, Math.min(end, highWater + ahead));
    }
    return filledTo >= target;
  }

  private void run() {
    // a background thread: it gives way to every client and every other nice-0 process
    if (!ProcessCalls.setThreadNice(ProcessCalls.BACKGROUND_NICE)) {
      LOG.debug("the prefill thread keeps its priority (setpriority refused)");
    }
    while (true) {
      int active = writers.getAsInt(); // outside this monitor: the store's lock comes first
      synchronized (this) {
        if (stopped) {
          notifyAll();
          return;
        }
        long waitNanos = busyNanos(active);
        if (waitNanos != 0) {
          pause(waitNanos);
          continue;
        }
      }
      String refusal = gate.refusal(STEP); // file reads: outside the monitor, and only when due
      long from;
      long to;
      synchronized (this) {
        if (stopped) {
          notifyAll();
          return;
        }
        if (refusal != null) {
          if (refused == null) {
            LOG.info("filling fresh shared memory ahead of use waits: {}", refusal);
          }
          refused = refusal;
          pause(BACKOFF.toNanos());
          continue;
        }
        if (refused != null) {
          LOG.info("filling fresh shared memory ahead of use goes on");
          refused = null;
        }
        if (busyNanos(active) != 0) {
          continue; // a claim or a rewind came while the gate was asked
        }
        from = Math.max(filledTo, highWater);
        to = Math.min(Math.min(end, highWater + ahead), (from + STEP) & -STEP);
        inflightStart = from;
        inflightEnd = to;
      }
      boolean failed = false;
      try {
        arena.zeroFill(from, to - from);
      } catch (RuntimeException e) {
        LOG.warn("stopped filling fresh shared memory ahead of use: {}", e.getMessage());
        failed = true;
      }
      synchronized (this) {
        inflightStart = -1;
        inflightEnd = -1;
        if (failed) {
          stopped = true;
        } else {
          filledTo = to; // a rewind waits for this step, so the range is still the one filled
        }
        notifyAll();
      }
    }
  }

  /**
   * Monitor held: waits {@code nanos}, or with a negative value until a claim moves the window.
   * Only the second kind is woken by claims: a filler keeping out of the way of busy writers sleeps
   * its quiet period through instead of waking (and asking the host) at every allocation.
   */
  private void pause(long nanos) {
    waitingForClaim = nanos < 0;
    try {
      if (nanos < 0) {
        wait();
      } else {
        wait(Math.max(1, nanos / 1_000_000));
      }
    } catch (InterruptedException e) {
      stopped = true;
    } finally {
      waitingForClaim = false;
    }
  }

  /**
   * How long to wait before the next step: -1 when the window is full (until a claim), 0 to fill
   * now, else nanoseconds. Busy means a claim within the quiet period, or a writer at work (an
   * unsealed blob) and a claim within {@link #WRITER_GRACE}.
   */
  private long busyNanos(int activeWriters) {
    if (suspended || Math.max(filledTo, highWater) >= Math.min(end, highWater + ahead)) {
      return -1;
    }
    if (!claimedOnce) {
      return 0;
    }
    long since = System.nanoTime() - lastClaimNanos;
    long wait = quietNanos - since;
    if (activeWriters > 0 && since < WRITER_GRACE.toNanos()) {
      wait =
          Math.max(wait, Math.min(Math.max(quietNanos, 1_000_000), WRITER_GRACE.toNanos() - since));
    }
    return Math.max(0, wait);
  }

  /**
   * The filling thread's state, for tests that wait until it sleeps.
   *
   * @return its state
   */
  Thread.State threadState() {
    return thread.getState();
  }

  /** Stops the thread and waits for it. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      stopped = true;
      notifyAll();
    }
    ThreadJoin.uninterruptibly(thread);
  }

  @Override
  public synchronized String toString() {
    return "ArenaPrefiller[highWater="
        + highWater
        + ", filledTo="
        + filledTo
        + ", ahead="
        + ahead
        + (suspended ? ", suspended" : "")
        + "]";
  }
}
