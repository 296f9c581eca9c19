package io.cellar.core.spill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.core.blob.BlobStore;
import io.cellar.core.config.StoreConfig;
import io.cellar.core.id.IdGenerator;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.Payload;
import io.cellar.protocol.StatusCode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobSpillTest {
  private static final long MB = 1L << 20;
  private static final long OWNER = 7;

  @TempDir Path dir;

  private final List<BlobStore> opened = new ArrayList<>();

  private BlobStore open(long limit) {
    return track(new BlobStore(StoreConfig.ofLimit(limit).withSpillPath(dir), new IdGenerator(0)));
  }

  private BlobStore track(BlobStore store) {
    opened.add(store);
    return store;
  }

  /** The owner goes, then each store is closed as a leak check. */
  @AfterEach
  void closeStores() {
    for (BlobStore store : opened) {
      if (!store.outstanding().isEmpty()) {
        store.releaseOwner(OWNER);
      }
      store.close();
    }
  }

  /** Creates, fills with random bytes, seals and releases: a cold blob. */
  private static long coldBlob(BlobStore store, long size, byte[] content) {
    long id = store.create(OWNER, size).objectId();
    MemorySegment.copy(MemorySegment.ofArray(content), 0, store.segment(id), 0, size);
    store.seal(OWNER, id);
    store.release(OWNER, id);
    return id;
  }

  private static byte[] random(long seed, long size) {
    byte[] b = new byte[(int) size];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void coldBlobsSpillInLruOrderAndReloadBitExact() throws IOException {
    BlobStore store = open(4 * MB);
    long[] ids = new long[4];
    for (int i = 0; i < 4; i++) {
      ids[i] = coldBlob(store, MB - 100, random(i, MB - 100));
    }
    assertEquals(4 * (MB - 64), store.memoryUsage(), "blocks are 64-byte multiples");
    assertEquals(0, store.spilledCount());

    // usage is at the upper rate (0.8): spill down to the lower rate (0.3 x 4 MiB)
    Payload fifth = store.create(OWNER, MB);
    assertTrue(store.isSpilled(ids[0]) && store.isSpilled(ids[1]) && store.isSpilled(ids[2]));
    assertFalse(store.isSpilled(ids[3]));
    assertEquals(3, store.spilledCount());
    assertEquals(2 * MB - 64, store.memoryUsage());
    assertTrue(store.exists(ids[0]));
    assertEquals(MB - 100, store.size(ids[0]));
    assertEquals(
        StatusCode.OBJECT_SPILLED,
        assertThrows(CellarException.class, () -> store.segment(ids[0])).status());

    // the file is <dir>/<unsigned decimal id> = [id][size][data]
    Path file = dir.resolve(Long.toUnsignedString(ids[1]));
    byte[] raw = Files.readAllBytes(file);
    assertEquals(SpillFileDescriptor.fileLength(MB - 100), raw.length);
    ByteBuffer header = ByteBuffer.wrap(raw).order(SpillFileDescriptor.BYTE_ORDER);
    assertEquals(ids[1], header.getLong(SpillFileDescriptor.ID_OFFSET));
    assertEquals(MB - 100, header.getLong(SpillFileDescriptor.SIZE_OFFSET));
    byte[] data = new byte[(int) (MB - 100)];
    System.arraycopy(raw, SpillFileDescriptor.DATA_OFFSET, data, 0, data.length);
    assertArrayEquals(random(1, MB - 100), data);

    // a get reloads transparently, bit-exact, and removes the file
    Payload back = store.get(OWNER, new long[] {ids[1]}, false).get(0);
    assertEquals(MB - 100, back.dataSize());
    assertTrue(back.storeFd() > 0);
    assertFalse(store.isSpilled(ids[1]));
    assertArrayEquals(
        random(1, MB - 100),
        store.segment(ids[1]).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
    assertFalse(Files.exists(file));
    assertEquals(2, store.spilledCount());
    assertTrue(fifth.dataSize() > 0);

    // addReference reloads too
    store.addReference(OWNER, ids[2]);
    assertFalse(store.isSpilled(ids[2]));
    assertArrayEquals(
        random(2, MB - 100),
        store.segment(ids[2]).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
  }

  @Test
  void aBlobSpilledToMakeRoomIsInUseAsForTheReferenceAndAnEvictedOneIsNot() {
    BlobStore store = open(4 * MB);
    long[] ids = new long[4];
    for (int i = 0; i < 4; i++) {
      ids[i] = coldBlob(store, MB - 100, random(i, MB - 100));
    }
    store.create(OWNER, MB); // spills ids 0, 1, 2 to make room
    assertTrue(store.isSpilled(ids[0]) && !store.isSpilled(ids[3]));
    assertTrue(store.isInUse(ids[0]), "off the reference's cold list");
    assertFalse(store.isInUse(ids[3]), "cold, in memory");
    store.evict(new long[] {ids[3]});
    assertTrue(store.isSpilled(ids[3]));
    assertFalse(store.isInUse(ids[3]), "an evicted blob stays on the cold list");
    store.load(new long[] {ids[0]}, false);
    assertTrue(store.isInUse(ids[0]), "loaded back, still off the list");
    store.addReference(OWNER, ids[0]);
    store.release(OWNER, ids[0]);
    assertFalse(store.isInUse(ids[0]), "referenced and released: cold again");
  }

  @Test
  void sealingASpilledBlobAgainTakesAReferenceAsForTheReference() {
    BlobStore store = open(4 * MB);
    long[] ids = new long[4];
    for (int i = 0; i < 4; i++) {
      ids[i] = coldBlob(store, MB - 100, random(i, MB - 100));
    }
    long fifth = store.create(OWNER, MB).objectId(); // spills ids 0, 1, 2; no reference
    assertTrue(store.isSpilled(ids[0]));
    store.seal(OWNER, ids[0]);
    assertTrue(store.isSpilled(ids[0]), "a seal does no file I/O");
    assertTrue(store.isInUse(ids[0]));
    assertEquals(1, store.referenceCount(OWNER));
    assertArrayEquals(
        random(0, MB - 100),
        store
            .segment(store.get(OWNER, new long[] {ids[0]}, false).get(0).objectId())
            .toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
        "the next get reads it back");
    store.release(OWNER, ids[0]);
    assertFalse(store.isInUse(ids[0]));
    store.seal(OWNER, fifth);
    store.release(OWNER, fifth);
  }

  @Test
  void victimsGoInTheOrderTheyBecameCold() {
    BlobStore store = open(4 * MB);
    long[] ids = new long[3];
    for (int i = 0; i < 3; i++) {
      ids[i] = store.create(OWNER, MB).objectId();
      store.seal(OWNER, ids[i]);
    }
    store.release(OWNER, ids[1]);
    store.release(OWNER, ids[2]);
    store.release(OWNER, ids[0]);
    // 3 MiB used, 2 MiB wanted: only what the request needs goes (lower bound unreachable)
    store.create(OWNER, 2 * MB);
    assertTrue(store.isSpilled(ids[1]));
    assertTrue(store.isSpilled(ids[2]));
    assertFalse(store.isSpilled(ids[0]), "cold last, spilled last");
  }

  @Test
  void referencedUnsealedAndPinnedBlobsNeverSpill() {
    BlobStore store = open(4 * MB);
    long referenced = store.create(OWNER, MB).objectId();
    store.seal(OWNER, referenced);
    long unsealed = store.create(OWNER, MB).objectId();
    long pinned = coldBlob(store, MB, random(9, MB));
    store.load(new long[] {pinned}, true);
    CellarException e = assertThrows(CellarException.class, () -> store.create(OWNER, 2 * MB));
    assertEquals(StatusCode.NOT_ENOUGH_MEMORY, e.status());
    assertEquals(0, store.spilledCount());
    assertFalse(
        store.isSpilled(referenced) || store.isSpilled(unsealed) || store.isSpilled(pinned));

    store.unpin(new long[] {pinned});
    store.create(OWNER, 2 * MB);
    assertTrue(store.isSpilled(pinned));
    // load brings it back (and pins it); a pinned blob is not evicted
    store.release(OWNER, referenced);
    store.evict(new long[] {referenced});
    assertTrue(store.isSpilled(referenced));
    store.load(new long[] {pinned}, false);
    assertFalse(store.isSpilled(pinned));
    assertArrayEquals(
        random(9, MB), store.segment(pinned).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
    assertEquals(4 * MB, store.memoryUsage());
  }

  @Test
  void evictLoadAndPinExplicitly() {
    BlobStore store = open(8 * MB);
    byte[] content = random(5, 3000);
    long id = coldBlob(store, 3000, content);
    store.evict(new long[] {id, 12345});
    assertTrue(store.isSpilled(id));
    assertEquals(0, store.memoryUsage());
    store.load(new long[] {id}, true);
    assertFalse(store.isSpilled(id));
    store.evict(new long[] {id});
    assertFalse(store.isSpilled(id), "pinned");
    store.unpin(new long[] {id});
    store.evict(new long[] {id});
    assertTrue(store.isSpilled(id));
    store.load(new long[] {id}, false);
    assertArrayEquals(content, store.segment(id).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
  }

  @Test
  void spillFilesGoWithTheirBlobAndWithTheStore() throws IOException {
    BlobStore store = open(8 * MB);
    long a = coldBlob(store, 1000, random(1, 1000));
    long b = coldBlob(store, 1000, random(2, 1000));
    store.evict(new long[] {a, b});
    assertTrue(Files.exists(dir.resolve(Long.toUnsignedString(a))));
    store.drop(a);
    assertFalse(Files.exists(dir.resolve(Long.toUnsignedString(a))));
    assertEquals(1, store.spilledCount());
    assertTrue(Files.exists(dir.resolve(Long.toUnsignedString(b))));
    store.close();
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count(), "close removes every spill file");
    }
  }

  @Test
  void anUnwritableSpillPathFailsAtOpen() throws IOException {
    Path notADir = Files.createFile(dir.resolve("plain-file"));
    CellarException e =
        assertThrows(
            CellarException.class,
            () ->
                new BlobStore(
                    StoreConfig.ofLimit(MB).withSpillPath(notADir.resolve("spill")),
                    new IdGenerator(0)));
    assertEquals(StatusCode.IO_ERROR, e.status());
    assertTrue(e.getMessage().contains(notADir.resolve("spill").toString()), e.getMessage());
  }

  @Test
  void withoutASpillPathEvictIsRefused() {
    BlobStore store = track(new BlobStore(StoreConfig.ofLimit(MB), new IdGenerator(0)));
    assertEquals(
        StatusCode.INVALID,
        assertThrows(CellarException.class, () -> store.evict(new long[] {1})).status());
  }
}
