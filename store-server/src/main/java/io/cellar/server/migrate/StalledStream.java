package io.cellar.server.migrate;

import io.cellar.client.transport.ByteStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ByteStream} that gives up on a peer that stops sending: when no byte has moved for the
 * stall timeout while a call is under way, the stream is shut down, the blocked call fails, and its
 * {@link IOException} says the peer was silent. A slow but moving transfer is never cut: reads and
 * writes go in slices of {@link #SLICE} bytes and each slice counts as progress. Thread-safe as far
 * as the wrapped stream is; the watchdog is one daemon thread shared by every instance.
 */
final class StalledStream implements ByteStream {
  /** The progress step: a slice this big that moves within the timeout keeps the call alive. */
  static final long SLICE = 4L << 20;

  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "cellar-migrate-watchdog");
            t.setDaemon(true);
            return t;
          });

  private final ByteStream stream;
  private final long stallNanos;
  private final String peer;
  private final ScheduledFuture<?> check;
  private volatile long lastProgress = System.nanoTime();
  private volatile boolean busy;
  private volatile boolean stalled;

  /**
   * Watches a stream.
   *
   * @param stream the connection, owned by this object from now on
   * @param stall how long a call may see no progress
   * @param peer the peer's name, for the error
   */
  StalledStream(ByteStream stream, Duration stall, String peer) {
    this.stream = stream;
    this.stallNanos = stall.toNanos();
    this.peer = peer;
    long period = Math.max(10, Math.min(1000, stall.toMillis() / 4));
    this.check = WATCHDOG.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
  }

  private void check() {
    if (busy && System.nanoTime() - lastProgress > stallNanos) {
      stalled = true;
      stream.shutdown();
    }
  }

  private IOException why(IOException e) {
    if (!stalled) {
      return e;
    }
    return new IOException(
        peer + " sent nothing for " + Duration.ofNanos(stallNanos).toMillis() + " ms", e);
  }

  private interface Slice {
    void move(MemorySegment part) throws IOException;
  }

  private void sliced(MemorySegment all, Slice op) throws IOException {
    if (stalled) {
      throw why(new IOException("the connection was shut down"));
    }
    lastProgress = System.nanoTime();
    busy = true;
    try {
      long size = all.byteSize();
      long done = 0;
      do {
        long n = Math.min(SLICE, size - done);
        op.move(all.asSlice(done, n));
        done += n;
        lastProgress = System.nanoTime();
      } while (done < size);
    } catch (IOException e) {
      throw why(e);
    } finally {
      busy = false;
    }
  }

  @Override
  public void writeFully(MemorySegment source) throws IOException {
    sliced(source, stream::writeFully);
  }

  @Override
  public void readFully(MemorySegment target) throws IOException {
    sliced(target, stream::readFully);
  }

  @Override
  public void shutdown() {
    stream.shutdown();
  }

  @Override
  public void close() {
    check.cancel(false);
    stream.close();
  }
}
