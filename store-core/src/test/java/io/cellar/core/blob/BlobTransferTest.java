package io.cellar.core.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.core.config.StoreConfig;
import io.cellar.core.id.IdGenerator;
import io.cellar.protocol.Payload;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A blob caught mid-transfer, one case at a time: the spill directory holds a write or a read at
 * its start ({@link GatedSpillFiles}) while the test acts on the blob from another thread. The
 * store's lock is free meanwhile, since the file I/O runs outside it.
 */
class BlobTransferTest {
  private static final long MB = 1L << 20;
  private static final long A = 1;
  private static final long B = 2;

  @TempDir Path dir;

  private GatedSpillFiles files;
  private BlobStore store;

  private void open() {
    store =
        new BlobStore(
            StoreConfig.ofLimit(8 * MB).withSpillPath(dir),
            new IdGenerator(0),
            real -> files = new GatedSpillFiles(real, 0));
  }

  @AfterEach
  void close() {
    if (!store.outstanding().isEmpty()) {
      store.releaseOwner(A);
      store.releaseOwner(B);
    }
    store.close(); // a leak check
  }

  private long coldBlob(byte[] content) {
    long id = store.create(A, content.length).objectId();
    MemorySegment.copy(MemorySegment.ofArray(content), 0, store.segment(id), 0, content.length);
    store.seal(A, id);
    store.release(A, id);
    return id;
  }

  private static byte[] random(int seed) {
    byte[] b = new byte[(int) MB];
    new Random(seed).nextBytes(b);
    return b;
  }

  private boolean fileExists(long id) {
    return Files.exists(dir.resolve(Long.toUnsignedString(id)));
  }

  /** Waits until a thread blocks (on the store's monitor, or on the gate). */
  private static void awaitBlocked(Thread t) {
    while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
      assertTrue(t.isAlive(), t.getName() + " ended instead of waiting");
      Thread.onSpinWait();
    }
  }

  @Test
  void aGetDuringASpillReturnsTheBlobAtOnceAndTheSpillIsAbandoned() throws Exception {
    open();
    byte[] content = random(1);
    long id = coldBlob(content);
    GatedSpillFiles.Gate write = files.holdNextWrite();
    CompletableFuture<Void> evict = CompletableFuture.runAsync(() -> store.evict(new long[] {id}));
    write.awaitEntered();

    assertFalse(store.isSpilled(id), "being written out, still in memory");
    List<Payload> got = store.get(B, new long[] {id}, false); // the lock is free: no wait
    assertEquals(1, got.size());
    assertArrayEquals(content, store.segment(id).toArray(ValueLayout.JAVA_BYTE));

    write.open();
    evict.get(30, TimeUnit.SECONDS);
    assertFalse(store.isSpilled(id), "referenced meanwhile: the spill was given up");
    assertFalse(fileExists(id), "and its file removed");
    assertEquals(MB, store.memoryUsage());
    assertEquals(
        got.getFirst().dataOffset(), store.get(B, new long[] {id}, false).getFirst().dataOffset());
    assertArrayEquals(content, store.segment(id).toArray(ValueLayout.JAVA_BYTE));

    store.release(B, id);
    store.evict(new long[] {id});
    assertTrue(store.isSpilled(id), "cold again, it spills");
  }

  @Test
  void pinningDuringASpillKeepsTheBlobInMemory() throws Exception {
    open();
    byte[] content = random(2);
    long id = coldBlob(content);
    GatedSpillFiles.Gate write = files.holdNextWrite();
    CompletableFuture<Void> evict = CompletableFuture.runAsync(() -> store.evict(new long[] {id}));
    write.awaitEntered();
    store.load(new long[] {id}, true); // the bytes are readable: no wait for the write
    write.open();
    evict.get(30, TimeUnit.SECONDS);
    assertFalse(store.isSpilled(id));
    assertFalse(fileExists(id));
    assertArrayEquals(content, store.segment(id).toArray(ValueLayout.JAVA_BYTE));
  }

  @Test
  void aDeleteDuringASpillFreesTheBlobOnceTheWriteEnds() throws Exception {
    open();
    long id = coldBlob(random(3));
    GatedSpillFiles.Gate write = files.holdNextWrite();
    CompletableFuture<Void> evict = CompletableFuture.runAsync(() -> store.evict(new long[] {id}));
    write.awaitEntered();

    store.drop(id);
    assertFalse(store.exists(id), "the id is gone at once");
    assertEquals(MB, store.memoryUsage(), "the block is read by the write: not freed yet");

    write.open();
    evict.get(30, TimeUnit.SECONDS);
    assertEquals(0, store.memoryUsage());
    assertEquals(0, store.spilledCount());
    assertFalse(fileExists(id), "the file written for a deleted blob is removed");
  }

  @Test
  void aSecondGetWaitsForTheLoadInFlightAndBothSeeTheSameBlock() throws Exception {
    open();
    byte[] content = random(4);
    long id = coldBlob(content);
    store.evict(new long[] {id});
    assertTrue(store.isSpilled(id));
    GatedSpillFiles.Gate read = files.holdNextRead();
    CompletableFuture<List<Payload>> first = new CompletableFuture<>();
    Thread loader =
        Thread.ofPlatform().start(() -> first.complete(store.get(A, new long[] {id}, false)));
    read.awaitEntered();
    assertTrue(store.isSpilled(id), "not readable until the read ends");

    CompletableFuture<List<Payload>> second = new CompletableFuture<>();
    Thread waiter =
        Thread.ofPlatform().start(() -> second.complete(store.get(B, new long[] {id}, false)));
    awaitBlocked(waiter);
    assertFalse(second.isDone(), "a second reader waits for the load, it does not load again");

    read.open();
    loader.join(30_000);
    waiter.join(30_000);
    long offset = first.get().getFirst().dataOffset();
    assertEquals(offset, second.get().getFirst().dataOffset());
    assertFalse(store.isSpilled(id));
    assertFalse(fileExists(id));
    assertArrayEquals(content, store.segment(id).toArray(ValueLayout.JAVA_BYTE));
  }

  @Test
  void aDeleteDuringALoadFreesTheBlobOnceTheReadEnds() throws Exception {
    open();
    long id = coldBlob(random(5));
    store.evict(new long[] {id});
    GatedSpillFiles.Gate read = files.holdNextRead();
    CompletableFuture<Void> load =
        CompletableFuture.runAsync(() -> store.load(new long[] {id}, false));
    read.awaitEntered();

    store.drop(id);
    assertEquals(MB, store.memoryUsage(), "the new block is being filled: not freed yet");

    read.open();
    load.get(30, TimeUnit.SECONDS);
    assertEquals(0, store.memoryUsage());
    assertEquals(0, store.spilledCount());
    assertFalse(fileExists(id));
  }

  @Test
  void closeWaitsForATransferInFlight() throws Exception {
    open();
    long id = coldBlob(random(6));
    GatedSpillFiles.Gate write = files.holdNextWrite();
    CompletableFuture<Void> evict = CompletableFuture.runAsync(() -> store.evict(new long[] {id}));
    write.awaitEntered();
    CompletableFuture<OutstandingBlobs> closing = new CompletableFuture<>();
    Thread closer = Thread.ofPlatform().start(() -> closing.complete(store.closeAndReport()));
    awaitBlocked(closer);
    assertFalse(closing.isDone(), "the arena is not unmapped under a write");
    write.open();
    evict.get(30, TimeUnit.SECONDS);
    closer.join(30_000);
    assertTrue(closing.get().isEmpty());
    try (var left = Files.list(dir)) {
      assertEquals(0, left.count(), "close removed the file the write left");
    }
  }
}
