package io.cellar.core.stream;

import io.cellar.protocol.Payload;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * One stream's state, as vineyardd's {@code StreamHolder} keeps it: the chunk being written (a blob
 * the server allocated for the writer), the chunks ready to read in push order, the chunk being
 * read, at most one waiting reader and one waiting writer, who opened it for what, and whether it
 * has stopped (drained) or failed.
 *
 * <p>Not thread-safe: only the {@link StreamTable} touches it, under its lock.
 */
final class StreamState {
  /** No chunk: vineyard's {@code InvalidObjectID()}, never a real id. */
  static final long NO_CHUNK = -1L;

  /** No owner has this end. */
  static final long NOBODY = StreamTable.NO_OWNER;

  final long id;
  int openMark;
  long readerOwner = NOBODY;
  long writerOwner = NOBODY;
  long currentWriting = NO_CHUNK;
  long currentReading = NO_CHUNK;
  final ArrayDeque<Long> ready = new ArrayDeque<>();
  boolean drained;
  boolean failed;

  /** The waiting reader's reply, or null. */
  CompletableFuture<Long> reader;

  /** The waiting writer's reply, or null; with the size and owner it waits for. */
  CompletableFuture<Payload> writer;

  long writerSize;
  long writerWaitOwner = NOBODY;

  StreamState(long id) {
    this.id = id;
  }

  boolean stopped() {
    return drained || failed;
  }

  /** A reader waits (a cancelled wait, whose connection went away, does not count). */
  boolean readerWaiting() {
    return reader != null && !reader.isDone();
  }

  /** A writer waits for room (a cancelled wait does not count). */
  boolean writerWaiting() {
    return writer != null && !writer.isDone();
  }
}
