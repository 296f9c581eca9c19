package io.cellar.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.Store;
import io.cellar.core.config.StoreConfig;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.Payload;
import io.cellar.protocol.StatusCode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stream table over a real store: order, waits, back-pressure, stop and drop, and the ends that
 * go away. Each store is closed by its test as a leak check ({@link Store#close()} fails on owners
 * or blobs left), and memory usage is checked back at zero first (chunks a stream forgot would not
 * show as held).
 */
@Timeout(60)
class StreamTableTest {
  private static final long STREAM = 0x1000L;
  private static final long KIB = 1024;

  private static Store open(long limit, int threshold) {
    return Store.open(StoreConfig.ofLimit(limit).withStreamThreshold(threshold));
  }

  /** A sealed blob of {@code n} bytes, put and released by the writer as the Python client does. */
  private static long putBlob(Store store, long owner, int n, byte seed) {
    Payload p = store.createBlob(owner, n);
    MemorySegment w = store.blobSegment(p.objectId());
    for (int i = 0; i < n; i++) {
      w.set(ValueLayout.JAVA_BYTE, i, (byte) (seed + i));
    }
    store.seal(owner, p.objectId());
    store.release(owner, p.objectId());
    return p.objectId();
  }

  /** A tensor-like object over a new blob: a pushed chunk as RecordBatchStream pushes them. */
  private static long putObject(Store store, long owner, int n) {
    long blob = putBlob(store, owner, n, (byte) 1);
    ObjectNode member = JsonNodeFactory.instance.objectNode();
    member.put("id", ObjectIds.toText(blob));
    member.put("typename", "vineyard::Blob");
    member.put("length", n);
    member.put("nbytes", n);
    member.put("instance_id", 0);
    member.put("transient", true);
    ObjectNode meta = JsonNodeFactory.instance.objectNode();
    meta.put("typename", "vineyard::Tensor<int8>");
    meta.put("instance_id", 0);
    meta.put("nbytes", n);
    meta.put("shape_", "[" + n + "]");
    meta.set("buffer_", member);
    return store.createData(meta).id();
  }

  private static StatusCode failure(CompletableFuture<?> f) {
    assertTrue(f.isDone(), "answered");
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(1, TimeUnit.SECONDS));
    return ((CellarException) e.getCause()).status();
  }

  private static StatusCode thrown(Runnable r) {
    return assertThrows(CellarException.class, r::run).status();
  }

  private static void assertEmpty(Store store) {
    assertEquals(0, store.status().memoryUsage(), "memory back to zero");
    assertEquals(0, store.status().blobs(), "no blob left");
  }

  @Test
  void pushedChunksArePulledInOrderAndEachIsDeletedByTheNextPull() {
    try (Store store = open(16 << 20, 80)) {
      StreamTable streams = store.streams();
      long writer = store.openOwner();
      long reader = store.openOwner();
      streams.create(STREAM);
      streams.open(writer, STREAM, StreamTable.WRITE);
      streams.open(reader, STREAM, StreamTable.READ);
      long a = putObject(store, writer, 100);
      long b = putBlob(store, writer, 50, (byte) 2);
      streams.push(writer, STREAM, a);
      streams.push(writer, STREAM, b);
      streams.stop(STREAM, false);
      assertEquals(a, streams.pull(reader, STREAM).join());
      assertTrue(store.exists(a));
      store.getBlobs(reader, new long[] {b}, false); // the reader maps the blob chunk
      assertEquals(b, streams.pull(reader, STREAM).join());
      assertFalse(store.exists(a), "the chunk read before is deleted by the next pull");
      assertEquals(StatusCode.STREAM_DRAINED, failure(streams.pull(reader, STREAM)));
      assertFalse(store.exists(b));
      assertEquals(StatusCode.STREAM_DRAINED, failure(streams.pull(reader, STREAM)));
      store.closeOwner(writer);
      store.closeOwner(reader);
      assertEquals(0, streams.size(), "the reader's end drops the stream");
      assertEmpty(store);
    }
  }

  @Test
  void aReaderWaitsForTheNextChunkAndForTheEnd() {
    try (Store store = open(16 << 20, 80)) {
      StreamTable streams = store.streams();
      long writer = store.openOwner();
      long reader = store.openOwner();
      streams.create(STREAM);
      CompletableFuture<Long> first = streams.pull(reader, STREAM);
      assertFalse(first.isDone(), "nothing to read yet");
      assertEquals(
          StatusCode.INVALID_STREAM_STATE, thrown(() -> streams.pull(reader, STREAM)), "one wait");
      long a = putBlob(store, writer, 10, (byte) 0);
      streams.push(writer, STREAM, a);
      assertEquals(a, first.join());
      CompletableFuture<Long> end = streams.pull(reader, STREAM);
      assertFalse(end.isDone());
      streams.stop(STREAM, false);
      assertEquals(StatusCode.STREAM_DRAINED, failure(end));
      store.closeOwner(writer);
      store.closeOwner(reader);
      assertEmpty(store);
    }
  }

  @Test
  void createOpenAndStopRefuseWhatTheReferenceRefuses() {
    try (Store store = open(1 << 20, 80)) {
      StreamTable streams = store.streams();
      long owner = store.openOwner();
      streams.create(STREAM);
      assertEquals(StatusCode.OBJECT_EXISTS, thrown(() -> streams.create(STREAM)));
      streams.open(owner, STREAM, StreamTable.READ);
      assertEquals(
          StatusCode.STREAM_OPENED, thrown(() -> streams.open(owner, STREAM, StreamTable.READ)));
      streams.open(owner, STREAM, StreamTable.WRITE);
      assertEquals(
          StatusCode.STREAM_OPENED, thrown(() -> streams.open(owner, STREAM, StreamTable.WRITE)));
      assertEquals(StatusCode.INVALID, thrown(() -> streams.open(owner, STREAM, 3)));
      assertEquals(
          StatusCode.OBJECT_NOT_EXISTS, thrown(() -> streams.open(owner, 7, StreamTable.READ)));
      assertEquals(StatusCode.OBJECT_NOT_EXISTS, thrown(() -> streams.pull(owner, 7)));
      assertEquals(StatusCode.OBJECT_NOT_EXISTS, thrown(() -> streams.push(owner, 7, 1)));
      assertEquals(StatusCode.OBJECT_NOT_EXISTS, thrown(() -> streams.stop(7, false)));
      assertEquals(StatusCode.OBJECT_NOT_EXISTS, thrown(() -> streams.drop(7)));
      streams.stop(STREAM, true);
      assertEquals(StatusCode.INVALID_STREAM_STATE, thrown(() -> streams.stop(STREAM, false)));
      assertEquals(StatusCode.INVALID_STREAM_STATE, thrown(() -> streams.push(owner, STREAM, 1)));
      assertEquals(
          StatusCode.INVALID_STREAM_STATE, thrown(() -> streams.nextChunk(owner, STREAM, 8)));
      assertEquals(StatusCode.STREAM_FAILED, failure(streams.pull(owner, STREAM)));
      streams.drop(STREAM);
      assertEquals(0, streams.size());
      store.closeOwner(owner);
      assertEmpty(store);
    }
  }

  @Test
  void chunksTheStoreAllocatesAreSealedByTheNextRequestAndByTheStop() {
    try (Store store = open(16 << 20, 80)) {
      StreamTable streams = store.streams();
      long writer = store.openOwner();
      long reader = store.openOwner();
      streams.create(STREAM);
      streams.open(writer, STREAM, StreamTable.WRITE);
      streams.open(reader, STREAM, StreamTable.READ);
      Payload one = streams.nextChunk(writer, STREAM, 4 * KIB).join();
      assertEquals(4 * KIB, one.dataSize());
      store.blobSegment(one.objectId()).fill((byte) 7);
      CompletableFuture<Long> pulled = streams.pull(reader, STREAM);
      assertFalse(pulled.isDone(), "the chunk being written is not ready");
      Payload two = streams.nextChunk(writer, STREAM, 2 * KIB).join();
      assertEquals(one.objectId(), pulled.join(), "asking for the next chunk readies the last");
      Payload got = store.getBlobs(reader, new long[] {one.objectId()}, false).get(0);
      assertEquals(7, store.blobSegment(got.objectId()).get(ValueLayout.JAVA_BYTE, 4095));
      streams.stop(STREAM, false);
      assertEquals(two.objectId(), streams.pull(reader, STREAM).join(), "the stop readies it");
      assertEquals(StatusCode.STREAM_DRAINED, failure(streams.pull(reader, STREAM)));
      store.closeOwner(writer);
      store.closeOwner(reader);
      assertEmpty(store);
    }
  }

  @Test
  void aWriterOverTheThresholdWaitsUntilItsReaderMakesRoom() {
    // 1 MiB at 50%: chunks of 128 KiB fit while usage + 128 KiB < 512 KiB, so three of them.
    try (Store store = open(1 << 20, 50)) {
      StreamTable streams = store.streams();
      long writer = store.openOwner();
      long reader = store.openOwner();
      streams.create(STREAM);
      streams.open(writer, STREAM, StreamTable.WRITE);
      streams.open(reader, STREAM, StreamTable.READ);
      List<Long> written = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        written.add(streams.nextChunk(writer, STREAM, 128 * KIB).join().objectId());
      }
      CompletableFuture<Payload> fourth = streams.nextChunk(writer, STREAM, 128 * KIB);
      assertFalse(fourth.isDone(), "over the threshold: the writer waits");
      assertEquals(
          StatusCode.INVALID_STREAM_STATE,
          thrown(() -> streams.push(writer, STREAM, 1)),
          "a waiting writer sends nothing else");
      assertEquals(
          StatusCode.INVALID_STREAM_STATE, thrown(() -> streams.stop(STREAM, false)), "nor stops");
      assertEquals(written.get(0), streams.pull(reader, STREAM).join());
      assertFalse(fourth.isDone(), "reading frees nothing until the next pull");
      assertEquals(written.get(1), streams.pull(reader, STREAM).join());
      assertTrue(fourth.isDone(), "the pull deleted the first chunk: room for the writer");
      assertEquals(128 * KIB, fourth.join().dataSize());
      streams.stop(STREAM, false);
      assertEquals(written.get(2), streams.pull(reader, STREAM).join());
      assertEquals(fourth.join().objectId(), streams.pull(reader, STREAM).join());
      assertEquals(StatusCode.STREAM_DRAINED, failure(streams.pull(reader, STREAM)));
      store.closeOwner(writer);
      store.closeOwner(reader);
      assertEmpty(store);
    }
  }

  @Test
  void aWriterThatGoesAwayFailsItsStreamAndItsChunkIsReclaimed() {
    try (Store store = open(16 << 20, 80)) {
      StreamTable streams = store.streams();
      long writer = store.openOwner();
      long reader = store.openOwner();
      streams.create(STREAM);
      streams.open(writer, STREAM, StreamTable.WRITE);
      streams.open(reader, STREAM, StreamTable.READ);
      streams.nextChunk(writer, STREAM, 64 * KIB).join();
      streams.nextChunk(writer, STREAM, 64 * KIB).join(); // one ready, one being written
      assertEquals(128 * KIB, store.status().memoryUsage());
      long ready = streams.pull(reader, STREAM).join();
      CompletableFuture<Long> waiting = streams.pull(reader, STREAM);
      assertFalse(waiting.isDone());
      store.closeOwner(writer); // the writer's connection died mid-chunk
      assertEquals(StatusCode.STREAM_FAILED, failure(waiting), "an error, not a hang");
      assertFalse(store.exists(ready), "the chunk read is deleted by the pull after it");
      assertEquals(StatusCode.STREAM_FAILED, failure(streams.pull(reader, STREAM)));
      assertEquals(0, store.status().memoryUsage(), "the half-written chunk is reclaimed");
      store.closeOwner(reader);
      assertEquals(0, streams.size());
      assertEmpty(store);
    }
  }

  @Test
  void aReaderThatGoesAwayDropsItsStreamAndAWaitingWriterHearsOfIt() {
    try (Store store = open(1 << 20, 50)) {
      StreamTable streams = store.streams();
      long writer = store.openOwner();
      long reader = store.openOwner();
      streams.create(STREAM);
      streams.open(writer, STREAM, StreamTable.WRITE);
      streams.open(reader, STREAM, StreamTable.READ);
      for (int i = 0; i < 3; i++) {
        streams.nextChunk(writer, STREAM, 128 * KIB).join();
      }
      CompletableFuture<Payload> waiting = streams.nextChunk(writer, STREAM, 128 * KIB);
      long read = streams.pull(reader, STREAM).join();
      store.getBlobs(reader, new long[] {read}, false);
      assertFalse(waiting.isDone());
      store.closeOwner(reader); // the reader's connection died holding a chunk
      assertEquals(StatusCode.STREAM_FAILED, failure(waiting), "an error, not a hang");
      assertEquals(0, streams.size(), "dropped, as the reference drops it");
      assertEquals(
          StatusCode.OBJECT_NOT_EXISTS, thrown(() -> streams.push(writer, STREAM, 1)), "gone");
      assertEquals(0, store.status().memoryUsage(), "every chunk is reclaimed");
      store.closeOwner(writer);
      assertEmpty(store);
    }
  }

  @Test
  void dropAnswersTheWaitingReaderAndDeletesTheReadyChunks() {
    try (Store store = open(16 << 20, 80)) {
      StreamTable streams = store.streams();
      long writer = store.openOwner();
      long reader = store.openOwner();
      streams.create(STREAM);
      CompletableFuture<Long> waiting = streams.pull(reader, STREAM);
      streams.drop(STREAM);
      assertEquals(StatusCode.STREAM_FAILED, failure(waiting));
      streams.create(STREAM);
      streams.push(writer, STREAM, putBlob(store, writer, 1000, (byte) 3));
      streams.push(writer, STREAM, putObject(store, writer, 1000));
      assertTrue(store.status().memoryUsage() > 0);
      streams.drop(STREAM);
      assertEquals(0, store.status().memoryUsage());
      store.closeOwner(writer);
      store.closeOwner(reader);
      assertEmpty(store);
    }
  }

  @Test
  void closingTheStoreAnswersEveryWait() {
    Store store = open(1 << 20, 0); // threshold 0: no chunk is ever allocated
    StreamTable streams = store.streams();
    long reader = store.openOwner();
    long writer = store.openOwner();
    streams.create(STREAM);
    streams.create(STREAM + 1);
    CompletableFuture<Long> pull = streams.pull(reader, STREAM);
    CompletableFuture<Payload> chunk = streams.nextChunk(writer, STREAM + 1, 1);
    assertFalse(pull.isDone());
    assertFalse(chunk.isDone());
    store.closeAndReport();
    assertEquals(StatusCode.ALREADY_STOPPED, failure(pull));
    assertEquals(StatusCode.ALREADY_STOPPED, failure(chunk));
    assertEquals(StatusCode.ALREADY_STOPPED, thrown(() -> streams.pull(reader, STREAM)));
    assertEquals(StatusCode.ALREADY_STOPPED, thrown(() -> streams.create(STREAM + 2)));
  }

  @Test
  void aWriterAndAReaderOnTwoThreadsPassTenThousandChunksInOrder() throws Exception {
    int count = 10_000;
    // 8 MiB at 50%: about 15 chunks of 256 KiB in flight, so the writer keeps waiting for room
    try (Store store = open(8 << 20, 50)) {
      StreamTable streams = store.streams();
      long writer = store.openOwner();
      long reader = store.openOwner();
      streams.create(STREAM);
      streams.open(writer, STREAM, StreamTable.WRITE);
      streams.open(reader, STREAM, StreamTable.READ);
      CompletableFuture<Void> written =
          CompletableFuture.runAsync(
              () -> {
                for (int i = 0; i < count; i++) {
                  Payload p = streams.nextChunk(writer, STREAM, 256 * KIB).join();
                  store.blobSegment(p.objectId()).set(ValueLayout.JAVA_INT, 0, i);
                }
                streams.stop(STREAM, false);
              });
      int read = 0;
      while (true) {
        long id;
        try {
          id = streams.pull(reader, STREAM).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          assertEquals(StatusCode.STREAM_DRAINED, ((CellarException) e.getCause()).status());
          break;
        }
        Payload p = store.getBlobs(reader, new long[] {id}, false).get(0);
        int seq = store.blobSegment(p.objectId()).get(ValueLayout.JAVA_INT, 0);
        if (seq != read) {
          throw new AssertionError("chunk " + read + " came as " + seq);
        }
        read++;
        assertTrue(
            store.status().memoryUsage() <= (4 << 20) + 256 * KIB, "back-pressure bounds usage");
      }
      written.get(30, TimeUnit.SECONDS);
      assertEquals(count, read);
      store.closeOwner(writer);
      store.closeOwner(reader);
      assertEmpty(store);
    }
  }
}
