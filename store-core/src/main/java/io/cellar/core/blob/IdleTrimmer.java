package io.cellar.core.blob;

import io.cellar.core.memory.ThreadJoin;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's idle trim: once no client has been active for {@code after}, and more memory was
 * freed since the last trim than the prefill window keeps warm, the free ranges are given back to
 * the system ({@link BlobStore#trim(boolean)} with {@code explicit=false}, which keeps the window
 * ahead of the allocations). So a daemon that a pipeline filled and emptied falls back to about the
 * window's worth of shared memory while it idles, and a busy one never pays for it.
 *
 * <p><b>Threading.</b> One daemon thread, {@code cellar-trim}, checking once per {@link #CHECK} (or
 * a quarter of {@code after}, if shorter); {@link #close()} stops and joins it, before the arena is
 * closed.
 */
final class IdleTrimmer implements AutoCloseable {
  /** The longest time between two checks. */
  static final Duration CHECK = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(IdleTrimmer.class);

  private final BlobArena arena;
  private final LongSupplier trim;
  private final long afterNanos;
  private final long checkMillis;
  private final Thread thread;
  private boolean stopped; // guarded by this

  /**
   * A trimmer, not yet started.
   *
   * @param arena whose activity and freed bytes are watched
   * @param after how long without activity before trimming
   * @param trim the trim (the store's, under its lock step by step); answers the bytes given back
   */
  IdleTrimmer(BlobArena arena, Duration after, LongSupplier trim) {
    this.arena = arena;
    this.trim = trim;
    this.afterNanos = after.toNanos();
    this.checkMillis = Math.max(1, Math.min(CHECK.toMillis(), after.toMillis() / 4));
    this.thread = Thread.ofPlatform().daemon().name("cellar-trim").unstarted(this::run);
  }

  /** Starts the thread. */
  void start() {
    thread.start();
  }

  private void run() {
    while (true) {
      synchronized (this) {
        if (stopped) {
          return;
        }
        try {
          wait(checkMillis);
        } catch (InterruptedException e) {
          return;
        }
        if (stopped) {
          return;
        }
      }
      if (arena.idleNanos() >= afterNanos && arena.freedSinceTrim() > arena.window()) {
        try {
          long given = trim.getAsLong();
          LOG.debug("idle trim gave {} MiB back to the system", given >> 20);
        } catch (RuntimeException e) {
          LOG.warn("idle trim stopped: {}", e.getMessage());
          return;
        }
      }
    }
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
}
