package io.cellar.core.stream;

import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.Payload;
import io.cellar.protocol.StatusCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The streams of one store, with the semantics of vineyardd's {@code StreamStore}: a stream is
 * created under an object id, opened once for reading and once for writing, fed by its writer
 * (chunks it put itself, {@link #push}, or blobs the store allocates for it, {@link #nextChunk}),
 * and consumed in order by its reader ({@link #pull}), until the writer stops it (drained, or
 * failed) or somebody drops it.
 *
 * <p><b>Waiting.</b> A reader that finds no chunk ready, and a writer that asks for a chunk while
 * the store is over the stream threshold, get a future that completes later; nothing here blocks. A
 * reader is woken by the next chunk, by the stop, or by a failure; a writer by a pull that frees
 * memory, or by a failure.
 *
 * <p><b>Back-pressure</b> (as the reference's {@code allocatable}): a chunk of {@code size} bytes
 * is allocated for the writer only while {@code usage + size < limit * threshold / 100}, usage
 * being the whole store's; a pushed chunk is never held back, as in the reference. A pull deletes
 * the chunk read before it (the reader's contract: a chunk is valid until the next pull), which is
 * what makes room.
 *
 * <p><b>Ends that go away.</b> {@link #ownerClosed} is told of every owner (connection) that ends.
 * A stream whose writer goes away before stopping it fails: its reader gets StreamFailed (43)
 * instead of waiting forever (the reference leaves it waiting), and the chunk being written is
 * reclaimed. A stream whose reader goes away is dropped, as in the reference: its ready chunks are
 * deleted, and a writer waiting for room gets StreamFailed (the reference leaves it waiting); its
 * later requests find no stream (ObjectNotExists, 12).
 *
 * <p><b>Threading.</b> Thread-safe: one lock guards every stream. The store's chunk calls ({@link
 * StreamChunks}) run under it, so this lock is taken before the store's own locks and never under
 * them. Futures are completed after the lock is released, on the calling thread.
 */
public final class StreamTable implements AutoCloseable {
  /** The owner value meaning "nobody"; equal to {@code BlobStore.NO_OWNER}. */
  public static final long NO_OWNER = Long.MIN_VALUE;

  /** {@code open_stream} mode: read ({@code StreamOpenMode::read}). */
  public static final int READ = 1;

  /** {@code open_stream} mode: write ({@code StreamOpenMode::write}). */
  public static final int WRITE = 2;

  private final StreamChunks chunks;
  private final int threshold;
  private final Map<Long, StreamState> streams = new HashMap<>();
  private boolean closed;

  /**
   * A table over a store's chunks.
   *
   * @param chunks where chunks are allocated, sealed and deleted
   * @param thresholdPercent {@code --stream_threshold}: the share of memory, in percent, above
   *     which no chunk is allocated for a writer
   */
  public StreamTable(StreamChunks chunks, int thresholdPercent) {
    if (thresholdPercent < 0 || thresholdPercent > 100) {
      throw CellarException.invalid(
          "the stream threshold must be a percentage (0 to 100): " + thresholdPercent);
    }
    this.chunks = chunks;
    this.threshold = thresholdPercent;
  }

  /** Completions run once the lock is released. */
  private static final class After {
    private final List<Runnable> work = new ArrayList<>();

    void add(Runnable r) {
      work.add(r);
    }

    void run() {
      for (Runnable r : work) {
        r.run();
      }
    }
  }

  private static CellarException stateError(String what, long id) {
    return new CellarException(
        StatusCode.INVALID_STREAM_STATE, "stream " + ObjectIds.toText(id) + ": " + what);
  }

  private StreamState find(long id, String action) {
    if (closed) {
      throw new CellarException(StatusCode.ALREADY_STOPPED, "the store is closed");
    }
    StreamState s = streams.get(id);
    if (s == null) {
      throw CellarException.notExists(
          "failed to " + action + " stream " + ObjectIds.toText(id) + ": no such stream");
    }
    return s;
  }

  /**
   * Creates a stream ({@code create_stream}).
   *
   * @param id the stream's object id
   * @throws CellarException ObjectExists (11) when it exists
   */
  public synchronized void create(long id) {
    if (closed) {
      throw new CellarException(StatusCode.ALREADY_STOPPED, "the store is closed");
    }
    if (streams.containsKey(id)) {
      throw new CellarException(
          StatusCode.OBJECT_EXISTS,
          "Failed to create the stream as it is already exists: " + ObjectIds.toText(id));
    }
    streams.put(id, new StreamState(id));
  }

  /**
   * Opens a stream for reading or writing ({@code open_stream}); each once.
   *
   * @param owner the opening owner, which becomes that end of the stream
   * @param id the stream
   * @param mode {@link #READ} or {@link #WRITE}
   * @throws CellarException ObjectNotExists (12), StreamOpened (45) when that end is open already,
   *     Invalid (1) for another mode
   */
  public synchronized void open(long owner, long id, int mode) {
    if (mode != READ && mode != WRITE) {
      throw CellarException.invalid("stream open mode must be 1 (read) or 2 (write): " + mode);
    }
    StreamState s = find(id, "open");
    if ((s.openMark & mode) != 0) {
      throw new CellarException(
          StatusCode.STREAM_OPENED,
          "stream "
              + ObjectIds.toText(id)
              + " is already opened for "
              + (mode == READ ? "reading" : "writing"));
    }
    s.openMark |= mode;
    if (mode == READ) {
      s.readerOwner = owner;
    } else {
      s.writerOwner = owner;
    }
  }

  /**
   * The writer asks for its next chunk ({@code get_next_stream_chunk}): the chunk it was writing is
   * sealed and made ready (waking a waiting reader), then a new blob of {@code size} bytes is
   * allocated for it, at once when the store is under the threshold, else once a pull makes room.
   *
   * @param owner the writer's owner
   * @param id the stream
   * @param size the chunk length in bytes
   * @return the new chunk's payload; fails with NotEnoughMemory (41) when the allocation fails,
   *     StreamFailed (43) when the stream fails while the writer waits
   * @throws CellarException ObjectNotExists (12), InvalidStreamState (44) when a writer waits
   *     already or the stream has stopped
   */
  public CompletableFuture<Payload> nextChunk(long owner, long id, long size) {
    if (size < 0) {
      throw CellarException.invalid("stream chunk size must not be negative: " + size);
    }
    After after = new After();
    CompletableFuture<Payload> result;
    synchronized (this) {
      StreamState s = find(id, "allocate from");
      if (s.writerWaiting()) {
        throw stateError("a writer is waiting already", id);
      }
      if (s.stopped()) {
        throw stateError("the stream has stopped", id);
      }
      claimWriter(s, owner);
      sealCurrentWriting(s);
      wakeReader(s, after);
      if (allocatable(size)) {
        Payload chunk = chunks.allocate(owner, size);
        s.currentWriting = chunk.objectId();
        result = CompletableFuture.completedFuture(chunk);
      } else {
        result = new CompletableFuture<>();
        s.writer = result;
        s.writerSize = size;
        s.writerWaitOwner = owner;
      }
    }
    after.run();
    return result;
  }

  /**
   * The writer appends a chunk it has put itself ({@code push_next_stream_chunk}), waking a waiting
   * reader. The stream takes the chunk over: it is deleted once read past, or with the stream.
   *
   * @param owner the writer's owner
   * @param id the stream
   * @param chunk the chunk's object (or blob) id
   * @throws CellarException ObjectNotExists (12), InvalidStreamState (44) when a writer waits or
   *     the stream has stopped
   */
  public void push(long owner, long id, long chunk) {
    After after = new After();
    synchronized (this) {
      StreamState s = find(id, "push to");
      if (s.writerWaiting()) {
        throw stateError("a writer is waiting", id);
      }
      if (s.stopped()) {
        throw stateError("the stream has stopped", id);
      }
      claimWriter(s, owner);
      s.ready.addLast(chunk);
      wakeReader(s, after);
    }
    after.run();
  }

  /**
   * The reader takes the next chunk ({@code pull_next_stream_chunk}): the chunk it read before is
   * deleted (with the reader's references to it), a writer waiting for room is served if there is
   * room now, and the next ready chunk is returned, at once or when the writer makes one ready.
   *
   * @param owner the reader's owner
   * @param id the stream
   * @return the chunk id; fails with StreamDrained (42) after the last chunk of a stopped stream,
   *     StreamFailed (43) when the stream failed
   * @throws CellarException ObjectNotExists (12), InvalidStreamState (44) when a reader waits
   *     already
   */
  public CompletableFuture<Long> pull(long owner, long id) {
    After after = new After();
    CompletableFuture<Long> result;
    synchronized (this) {
      StreamState s = find(id, "pull from");
      if (s.readerWaiting()) {
        throw stateError("a reader is waiting already", id);
      }
      if (s.readerOwner == NO_OWNER) {
        s.readerOwner = owner;
      }
      if (s.currentReading != StreamState.NO_CHUNK) {
        long done = s.currentReading;
        s.currentReading = StreamState.NO_CHUNK;
        chunks.discard(owner, done);
      }
      serveWaitingWriter(s, after);
      if (!s.ready.isEmpty()) {
        s.currentReading = s.ready.removeFirst();
        result = CompletableFuture.completedFuture(s.currentReading);
      } else if (s.drained) {
        result = CompletableFuture.failedFuture(drained(id));
      } else if (s.failed) {
        result = CompletableFuture.failedFuture(failed(id, "the stream failed"));
      } else {
        result = new CompletableFuture<>();
        s.reader = result;
      }
    }
    after.run();
    return result;
  }

  /**
   * The writer stops the stream ({@code stop_stream}): the chunk being written is sealed and made
   * ready; with {@code failed} the stream fails, else it is drained once the ready chunks are read.
   * A waiting reader is woken.
   *
   * @param id the stream
   * @param failed whether the stream failed
   * @throws CellarException ObjectNotExists (12), InvalidStreamState (44) when it has stopped
   *     already or a writer waits
   */
  public void stop(long id, boolean failed) {
    After after = new After();
    synchronized (this) {
      StreamState s = find(id, "stop");
      if (s.stopped()) {
        throw stateError("Stream already stopped", id);
      }
      if (s.writerWaiting()) {
        throw stateError("Still pending writer on stream", id);
      }
      sealCurrentWriting(s);
      if (failed) {
        s.failed = true;
      } else {
        s.drained = true;
      }
      wakeReader(s, after);
    }
    after.run();
  }

  /**
   * Drops a stream ({@code drop_stream}): it fails, its waiting reader and writer are answered
   * StreamFailed (43), its ready chunks are deleted, and it is forgotten. The chunk being read
   * stays readable while the reader holds it; the chunk being written stays with its writer
   * (reclaimed with the writer's owner).
   *
   * @param id the stream
   * @throws CellarException ObjectNotExists (12)
   */
  public void drop(long id) {
    After after = new After();
    synchronized (this) {
      StreamState s = find(id, "drop");
      dropLocked(s, "the stream was dropped", after);
      streams.remove(id);
    }
    after.run();
  }

  /**
   * An owner (a connection) has ended: the streams it was writing fail, the streams it was reading
   * are dropped. Call before the owner's blob references are released.
   *
   * @param owner the owner that ended
   */
  public void ownerClosed(long owner) {
    After after = new After();
    synchronized (this) {
      Iterator<StreamState> it = streams.values().iterator();
      while (it.hasNext()) {
        StreamState s = it.next();
        if (s.writerOwner == owner || s.writerWaitOwner == owner) {
          writerGone(s, owner, after);
        }
        if (s.readerOwner == owner) {
          dropLocked(s, "the stream's reader went away", after);
          it.remove();
        }
      }
    }
    after.run();
  }

  /**
   * How many streams there are.
   *
   * @return the count
   */
  public synchronized int size() {
    return streams.size();
  }

  /**
   * Closes the table: every waiting reader and writer is answered AlreadyStopped (36) and the
   * streams are forgotten (the store reclaims their blobs as it closes). Idempotent.
   */
  @Override
  public void close() {
    After after = new After();
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      CellarException stopped =
          new CellarException(StatusCode.ALREADY_STOPPED, "the store is closing");
      for (StreamState s : streams.values()) {
        if (s.readerWaiting()) {
          CompletableFuture<Long> r = s.reader;
          after.add(() -> r.completeExceptionally(stopped));
        }
        if (s.writerWaiting()) {
          CompletableFuture<Payload> w = s.writer;
          after.add(() -> w.completeExceptionally(stopped));
        }
      }
      streams.clear();
    }
    after.run();
  }

  // ------------------------------------------------------------------ under the lock

  private static void claimWriter(StreamState s, long owner) {
    if (s.writerOwner == NO_OWNER) {
      s.writerOwner = owner;
    }
  }

  private boolean allocatable(long size) {
    return chunks.memoryUsage() + size < chunks.memoryLimit() * (threshold / 100.0);
  }

  private void sealCurrentWriting(StreamState s) {
    if (s.currentWriting != StreamState.NO_CHUNK) {
      long chunk = s.currentWriting;
      s.currentWriting = StreamState.NO_CHUNK;
      chunks.seal(s.writerOwner, chunk);
      s.ready.addLast(chunk);
    }
  }

  /** Hands the next ready chunk (or the end) to a waiting reader. */
  private static void wakeReader(StreamState s, After after) {
    if (!s.readerWaiting()) {
      s.reader = null;
      return;
    }
    CompletableFuture<Long> r = s.reader;
    if (!s.ready.isEmpty()) {
      long chunk = s.ready.removeFirst();
      s.currentReading = chunk;
      s.reader = null;
      after.add(() -> r.complete(chunk));
    } else if (s.failed) {
      s.reader = null;
      after.add(() -> r.completeExceptionally(failed(s.id, "the stream failed")));
    } else if (s.drained) {
      s.reader = null;
      after.add(() -> r.completeExceptionally(drained(s.id)));
    }
  }

  private void serveWaitingWriter(StreamState s, After after) {
    if (!s.writerWaiting()) {
      s.writer = null;
      return;
    }
    if (!allocatable(s.writerSize)) {
      return;
    }
    CompletableFuture<Payload> w = s.writer;
    s.writer = null;
    long owner = s.writerWaitOwner;
    s.writerWaitOwner = NO_OWNER;
    try {
      Payload chunk = chunks.allocate(owner, s.writerSize);
      s.currentWriting = chunk.objectId();
      after.add(() -> w.complete(chunk));
    } catch (CellarException e) {
      after.add(() -> w.completeExceptionally(e));
    }
  }

  private void writerGone(StreamState s, long owner, After after) {
    if (s.writerWaitOwner == owner) {
      s.writer = null; // its connection is gone: nobody to answer
      s.writerWaitOwner = NO_OWNER;
    }
    if (s.currentWriting != StreamState.NO_CHUNK) {
      long chunk = s.currentWriting;
      s.currentWriting = StreamState.NO_CHUNK;
      chunks.discard(owner, chunk);
    }
    if (!s.stopped()) {
      s.failed = true;
      if (s.readerWaiting()) {
        CompletableFuture<Long> r = s.reader;
        s.reader = null;
        after.add(() -> r.completeExceptionally(failed(s.id, "the stream's writer went away")));
      }
    }
    s.writerOwner = NO_OWNER;
  }

  private void dropLocked(StreamState s, String why, After after) {
    s.failed = s.failed || !s.drained;
    if (s.readerWaiting()) {
      CompletableFuture<Long> r = s.reader;
      after.add(() -> r.completeExceptionally(failed(s.id, why)));
    }
    s.reader = null;
    if (s.writerWaiting()) {
      CompletableFuture<Payload> w = s.writer;
      after.add(() -> w.completeExceptionally(failed(s.id, why)));
    }
    s.writer = null;
    while (!s.ready.isEmpty()) {
      chunks.discard(NO_OWNER, s.ready.removeFirst());
    }
    if (s.currentReading != StreamState.NO_CHUNK) {
      chunks.discard(NO_OWNER, s.currentReading);
      s.currentReading = StreamState.NO_CHUNK;
    }
  }

  private static CellarException drained(long id) {
    return new CellarException(
        StatusCode.STREAM_DRAINED, "Stream drained: no more chunks in " + ObjectIds.toText(id));
  }

  private static CellarException failed(long id, String why) {
    return new CellarException(
        StatusCode.STREAM_FAILED, "Stream failed: " + why + " (" + ObjectIds.toText(id) + ")");
  }
}
