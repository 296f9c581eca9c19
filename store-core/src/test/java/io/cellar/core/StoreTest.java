package io.cellar.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.config.StoreConfig;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectCreated;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.Payload;
import io.cellar.protocol.StatusCode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded engine end to end: blobs and metadata together, as a JVM program uses them. Every
 * store is closed after its test as a leak check ({@link StoreLeakCheck}): each test closes the
 * owners it opens.
 */
class StoreTest {
  private static final long MIB = 1L << 20;

  @RegisterExtension final StoreLeakCheck stores = new StoreLeakCheck();

  /** Puts {@code n} bytes of a pattern as a sealed blob under a tensor-like object. */
  private static ObjectCreated putBytes(Store store, long owner, int n, byte seed) {
    Payload p = store.createBlob(owner, n);
    MemorySegment w = store.blobSegment(p.objectId());
    for (int i = 0; i < n; i++) {
      w.set(ValueLayout.JAVA_BYTE, i, (byte) (seed + i));
    }
    store.seal(owner, p.objectId());
    ObjectNode blob = JsonNodeFactory.instance.objectNode();
    blob.put("id", ObjectIds.toText(p.objectId()));
    blob.put("typename", "vineyard::Blob");
    blob.put("length", n);
    blob.put("nbytes", n);
    blob.put("instance_id", 0);
    blob.put("transient", true);
    ObjectNode meta = JsonNodeFactory.instance.objectNode();
    meta.put("typename", "vineyard::Tensor<int8>");
    meta.put("instance_id", 0);
    meta.put("nbytes", n);
    meta.put("shape_", "[" + n + "]");
    meta.set("buffer_", blob);
    return store.createData(meta);
  }

  private static long blobOf(Store store, long objectId) {
    JsonNode tree = store.getData(new long[] {objectId}).get(ObjectIds.toText(objectId));
    return ObjectIds.parseText(tree.get("buffer_").get("id").textValue());
  }

  @Test
  void putThenGetReadsTheSameBytesThroughTheArena() {
    Store store = stores.open(StoreConfig.ofLimit(64 * MIB));
    long writer = store.openOwner();
    ObjectCreated created = putBytes(store, writer, 4096, (byte) 7);

    JsonNode tree = store.getData(new long[] {created.id()}).get(ObjectIds.toText(created.id()));
    assertEquals("vineyard::Tensor<int8>", tree.get("typename").asText());
    assertEquals(0, tree.get("buffer_").get("length").asLong(), "blob members are stubs");

    long reader = store.openOwner();
    long blobId = blobOf(store, created.id());
    List<Payload> got = store.getBlobs(reader, new long[] {blobId}, false);
    assertEquals(1, got.size());
    assertEquals(4096, got.getFirst().dataSize());
    assertEquals(0, got.getFirst().dataOffset() % 64, "64-byte aligned");
    assertTrue(got.getFirst().dataOffset() + 4096 <= got.getFirst().mapSize() - 8);
    MemorySegment r = store.blobSegment(blobId);
    assertTrue(r.isReadOnly(), "a sealed blob is read-only");
    for (int i = 0; i < 4096; i++) {
      assertEquals((byte) (7 + i), r.get(ValueLayout.JAVA_BYTE, i));
    }
    assertEquals(4096, store.status().memoryUsage());
    assertEquals(1, store.status().objects());
    store.closeOwner(reader);
    store.closeOwner(writer);
  }

  @Test
  void deleteRemovesObjectAndBlobAndMemoryReturnsWhenOtherOwnersGo() {
    Store store = stores.open(StoreConfig.ofLimit(64 * MIB));
    long writer = store.openOwner();
    long reader = store.openOwner();
    ObjectCreated created = putBytes(store, writer, (int) MIB, (byte) 1);
    long blobId = blobOf(store, created.id());
    store.getBlobs(reader, new long[] {blobId}, false);

    long[] freed = store.delete(writer, new long[] {created.id()}, false, true, false).join();
    assertArrayEquals(new long[] {blobId}, freed);
    assertFalse(store.exists(created.id()));
    assertFalse(store.exists(blobId));
    assertEquals(0, store.getData(new long[] {created.id()}).size());

    assertEquals(MIB, store.status().memoryUsage(), "the reader still maps it");
    store.closeOwner(reader);
    assertEquals(0, store.status().memoryUsage(), "memory back once the reader is gone");
    store.closeOwner(writer);
  }

  @Test
  void deletingAMemberBlobWithoutForceKeepsItAndItsObject() {
    Store store = stores.open(StoreConfig.ofLimit(64 * MIB));
    long writer = store.openOwner();
    ObjectCreated created = putBytes(store, writer, 4096, (byte) 3);
    long blobId = blobOf(store, created.id());

    long[] freed = store.delete(writer, new long[] {blobId}, false, false, false).join();
    assertArrayEquals(new long[0], freed, "a member of a live object is not deleted");
    assertTrue(store.exists(blobId));
    assertTrue(store.exists(created.id()));
    long reader = store.openOwner();
    store.getBlobs(reader, new long[] {blobId}, false);
    MemorySegment r = store.blobSegment(blobId);
    for (int i = 0; i < 4096; i++) {
      assertEquals((byte) (3 + i), r.get(ValueLayout.JAVA_BYTE, i));
    }
    assertEquals(4096, store.status().memoryUsage());

    long[] forced = store.delete(writer, new long[] {blobId}, true, false, false).join();
    assertArrayEquals(new long[] {blobId}, forced, "force deletes the member");
    assertFalse(store.exists(created.id()), "and the object holding it");
    store.closeOwner(reader);
    store.closeOwner(writer);
    assertEquals(0, store.status().memoryUsage());
  }

  @Test
  void deletingAStandaloneBlobFreesIt() {
    Store store = stores.open(StoreConfig.ofLimit(64 * MIB));
    long writer = store.openOwner();
    Payload p = store.createBlob(writer, 1024);
    store.seal(writer, p.objectId());
    assertArrayEquals(
        new long[] {p.objectId()},
        store.delete(writer, new long[] {p.objectId()}, false, false, false).join());
    assertFalse(store.exists(p.objectId()));
    assertEquals(0, store.status().memoryUsage());
    store.closeOwner(writer);
  }

  @Test
  void deletingWhatTheDeleterSealedReusesTheSameMemoryAtOnce() {
    Store store = stores.open(StoreConfig.ofLimit(64 * MIB));
    long writer = store.openOwner();
    ObjectCreated first = putBytes(store, writer, (int) (8 * MIB), (byte) 1);
    long firstAddress =
        store.getBlobs(writer, new long[] {blobOf(store, first.id())}, false).getFirst().pointer();
    // the Python client never releases what it sealed: its delete must still free the memory
    store.delete(writer, new long[] {first.id()}, false, true, false).join();
    assertEquals(0, store.status().memoryUsage(), "the deleter's own reference went with it");

    ObjectCreated second = putBytes(store, writer, (int) (8 * MIB), (byte) 2);
    long secondAddress =
        store.getBlobs(writer, new long[] {blobOf(store, second.id())}, false).getFirst().pointer();
    assertEquals(firstAddress, secondAddress, "the same pages, which the client maps already");
    store.closeOwner(writer);
  }

  @Test
  void unsealedBlobsOfAClosedOwnerAreReclaimed() {
    Store store = stores.open(StoreConfig.ofLimit(8 * MIB));
    long owner = store.openOwner();
    long other = store.openOwner();
    Payload p = store.createBlob(owner, 6 * MIB);
    assertThrows(CellarException.class, () -> store.createBlob(other, 6 * MIB));
    store.closeOwner(owner);
    assertFalse(store.exists(p.objectId()));
    assertEquals(0, store.status().memoryUsage());
    Payload again = store.createBlob(other, 6 * MIB);
    assertEquals(6 * MIB, again.dataSize());
    store.closeOwner(other);
  }

  @Test
  void notEnoughMemoryCarriesCode41() {
    Store store = stores.open(StoreConfig.ofLimit(MIB));
    long owner = store.openOwner();
    CellarException e = assertThrows(CellarException.class, () -> store.createBlob(owner, 2 * MIB));
    assertEquals(StatusCode.NOT_ENOUGH_MEMORY, e.status());
    assertEquals(41, e.status().code());
    store.closeOwner(owner);
  }

  @Test
  void evictAndLoadByObjectIdMoveItsBlobsThroughTheSpillDirectory(@TempDir Path spill) {
    StoreConfig config = StoreConfig.ofLimit(16 * MIB).withSpillPath(spill);
    Store store = stores.open(config);
    long writer = store.openOwner();
    ObjectCreated created = putBytes(store, writer, (int) MIB, (byte) 3);
    long blobId = blobOf(store, created.id());
    store.closeOwner(writer); // the blob is now cold

    store.evict(new long[] {created.id()});
    assertTrue(store.isSpilled(blobId));
    assertFalse(store.isInUse(blobId));
    assertEquals(0, store.status().memoryUsage());

    store.load(new long[] {created.id()}, true);
    assertFalse(store.isSpilled(blobId));
    MemorySegment r = store.blobSegment(blobId);
    for (int i = 0; i < MIB; i += 4099) {
      assertEquals((byte) (3 + i), r.get(ValueLayout.JAVA_BYTE, i), "bit-exact after reload");
    }
    store.evict(new long[] {blobId});
    assertFalse(store.isSpilled(blobId), "a pinned blob stays in memory");
    store.unpin(new long[] {created.id()});
    store.evict(new long[] {blobId});
    assertTrue(store.isSpilled(blobId));
  }

  @Test
  void awaitDataCompletesWhenAnotherThreadCreatesTheObject() throws Exception {
    Store store = stores.open(StoreConfig.ofLimit(8 * MIB));
    long owner = store.openOwner();
    CompletableFuture<Long> name = store.awaitName("later");
    assertFalse(name.isDone());
    ObjectCreated created = putBytes(store, owner, 64, (byte) 0);
    store.persist(created.id()).join();
    store.putName("later", created.id()).join();
    assertEquals(created.id(), name.get(10, TimeUnit.SECONDS));
    assertTrue(store.isPersisted(created.id()));
    assertEquals(created.id(), store.listNames("*", false, 10).get("later"));
    store.closeOwner(owner);
  }

  @Test
  void clearDeletesEverything() {
    Store store = stores.open(StoreConfig.ofLimit(16 * MIB));
    long owner = store.openOwner();
    for (int i = 0; i < 5; i++) {
      putBytes(store, owner, 1000, (byte) i);
    }
    store.createBlob(owner, 100); // unsealed, no metadata
    store.clear().join();
    store.closeOwner(owner);
    assertEquals(0, store.status().objects());
    assertEquals(0, store.status().blobs());
    assertEquals(0, store.status().memoryUsage());
  }

  @Test
  void badIdsAreClearErrors() {
    Store store = stores.open(StoreConfig.ofLimit(MIB));
    long owner = store.openOwner();
    assertEquals(
        StatusCode.OBJECT_NOT_EXISTS,
        assertThrows(CellarException.class, () -> store.seal(owner, 42)).status());
    assertEquals(
        StatusCode.ASSERTION_FAILED,
        assertThrows(CellarException.class, () -> store.persist(ObjectIds.EMPTY_BLOB)).status());
    assertEquals(
        StatusCode.INVALID,
        assertThrows(CellarException.class, () -> store.createBlob(owner, -1)).status());
    assertFalse(store.exists(ObjectIds.EMPTY_BLOB), "the empty blob is not stored");
    store.dropBlob(ObjectIds.EMPTY_BLOB); // accepted, as the reference does
    assertEquals(
        StatusCode.KEY_ERROR,
        assertThrows(CellarException.class, () -> store.release(owner, ObjectIds.EMPTY_BLOB))
            .status(),
        "no reference taken yet: the reference's KeyError");
    assertEquals(
        List.of(Payload.EMPTY), store.getBlobs(owner, new long[] {ObjectIds.EMPTY_BLOB}, false));
    store.release(owner, ObjectIds.EMPTY_BLOB);
    store.closeOwner(owner);
  }

  @Test
  void fastpathDeletesBlobIdsAndLeavesTheTreeAlone() {
    Store store = stores.open(StoreConfig.ofLimit(16 * MIB));
    long writer = store.openOwner();
    ObjectCreated created = putBytes(store, writer, 1024, (byte) 5);
    long blobId = blobOf(store, created.id());
    long[] freed =
        store
            .delete(
                writer, new long[] {blobId, created.id(), ObjectIds.EMPTY_BLOB}, false, false, true)
            .join();
    assertArrayEquals(new long[] {blobId}, freed, "only the blob ids, even a member's");
    assertFalse(store.exists(blobId));
    assertTrue(store.exists(created.id()), "the metadata is not touched");
    assertEquals(0, store.status().memoryUsage());
    store.closeOwner(writer);
  }

  /**
   * Threads put, read back, and delete their own objects while others do the same; at the end no
   * memory, blob or object is left and every read saw exactly the bytes its writer wrote.
   */
  @Test
  void concurrentPutGetDeleteLeavesNothingBehind() throws Exception {
    int threads = 4;
    int rounds = 300;
    Store store = stores.open(StoreConfig.ofLimit(64 * MIB));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      final int seed = t;
      results.add(
          pool.submit(
              () -> {
                start.await();
                long owner = store.openOwner();
                int checked = 0;
                for (int i = 0; i < rounds; i++) {
                  int n = 64 + ((i * 7919 + seed * 104729) % (256 * 1024));
                  ObjectCreated c = putBytes(store, owner, n, (byte) (seed * 31 + i));
                  long blob = blobOf(store, c.id());
                  long reader = store.openOwner();
                  Payload p = store.getBlobs(reader, new long[] {blob}, false).getFirst();
                  assertEquals(n, p.dataSize());
                  MemorySegment r = store.blobSegment(blob);
                  for (int k = 0; k < n; k += 97) {
                    assertEquals((byte) (seed * 31 + i + k), r.get(ValueLayout.JAVA_BYTE, k));
                  }
                  store.delete(owner, new long[] {c.id()}, false, true, false).join();
                  assertFalse(store.exists(blob));
                  store.closeOwner(reader);
                  checked++;
                }
                store.closeOwner(owner);
                return checked;
              }));
    }
    start.countDown();
    int total = 0;
    for (Future<Integer> f : results) {
      total += f.get(120, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertEquals(threads * rounds, total);
    StoreStatus s = store.status();
    assertEquals(0, s.objects());
    assertEquals(0, s.blobs());
    assertEquals(0, s.memoryUsage());
  }
}
