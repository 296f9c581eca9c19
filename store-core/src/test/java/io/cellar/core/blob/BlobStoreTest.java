package io.cellar.core.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.core.config.StoreConfig;
import io.cellar.core.id.IdGenerator;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.Payload;
import io.cellar.protocol.StatusCode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The blob lifecycle, references and memory reuse. After each test both owners go and the store is
 * closed as a leak check: a blob still held fails the test.
 */
class BlobStoreTest {
  private static final long MB = 1L << 20;
  private static final long A = 1;
  private static final long B = 2;

  private BlobStore store = open(StoreConfig.ofLimit(16 * MB));

  private static BlobStore open(StoreConfig config) {
    return new BlobStore(config, new IdGenerator(0));
  }

  @AfterEach
  void close() {
    if (!store.outstanding().isEmpty()) {
      store.releaseOwner(A);
      store.releaseOwner(B);
    }
    store.close();
  }

  private static void fill(BlobStore s, long owner, int n, long size) {
    for (int i = 0; i < n; i++) {
      Payload p = s.create(owner, size);
      s.segment(p.objectId()).fill((byte) 7);
      s.seal(owner, p.objectId());
    }
  }

  @Test
  void aTrimGivesFreedMemoryBackAndKeepsWhatIsInUse() {
    store.close();
    store = open(StoreConfig.ofLimit(64 * MB));
    Payload kept = store.create(A, 4 * MB);
    store.segment(kept.objectId()).fill((byte) 9);
    store.seal(A, kept.objectId());
    fill(store, B, 8, 4 * MB);
    assertTrue(store.residentBytes() >= 36 * MB, "written: " + store.residentBytes());
    long[] others =
        java.util.Arrays.stream(store.ids()).filter(id -> id != kept.objectId()).toArray();
    store.delete(B, others);
    assertTrue(store.residentBytes() >= 36 * MB, "a delete alone keeps the pages warm");
    assertTrue(store.trim() >= 31 * MB, "the freed 32 MiB, in whole pages");
    assertTrue(
        store.residentBytes() <= 4 * MB + 8192, "only the live blob: " + store.residentBytes());
    assertEquals(9, store.segment(kept.objectId()).get(ValueLayout.JAVA_BYTE, 4 * MB - 1));
    assertEquals(0, store.trim(), "nothing left to give");
    store.releaseOwner(A);
  }

  @Test
  void aTrimOfAnEmptiedStoreGivesBackEveryPageEvenThoseItsEndsShare() {
    store.close();
    store = open(StoreConfig.ofLimit(64 * MB).withPrefillAhead(0));
    // the first block starts 64 bytes into the first page, the last one ends inside a page
    fill(store, B, 3, 3 * MB + 100);
    assertTrue(store.residentBytes() >= 9 * MB, "written: " + store.residentBytes());
    store.delete(B, store.ids());
    assertTrue(store.trim() >= 9 * MB);
    assertEquals(0, store.residentBytes(), "not even the first page or the last block's tail");
    fill(store, A, 1, 100);
    assertEquals(7, store.segment(store.ids()[0]).get(ValueLayout.JAVA_BYTE, 99), "usable again");
    store.releaseOwner(A);
  }

  @Test
  void theIdleTrimKeepsThePrefillWindowAndGivesTheRestBack() throws InterruptedException {
    store.close();
    store =
        open(
            StoreConfig.ofLimit(64 * MB)
                .withPrefillAhead(8 * MB)
                .withIdleTrim(java.time.Duration.ofMillis(200)));
    fill(store, B, 8, 4 * MB);
    store.delete(B, store.ids());
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (store.residentBytes() > 8 * MB + 2 * MB && System.nanoTime() < deadline) {
      Thread.sleep(20); // polling the real condition: the trim thread runs after 200 ms idle
    }
    assertTrue(store.residentBytes() <= 10 * MB, "about the window: " + store.residentBytes());
  }

  @Test
  void payloadsDescribeAlignedBlobsInsideTheArena() {
    Payload p = store.create(A, 1000);
    assertTrue(ObjectIds.isBlob(p.objectId()));
    assertNotEquals(ObjectIds.EMPTY_BLOB, p.objectId());
    assertEquals(0, p.dataOffset() % 64);
    assertTrue(p.dataOffset() >= 64);
    assertEquals(1000, p.dataSize());
    assertEquals(store.mapSize(), p.mapSize());
    assertTrue(p.mapSize() > store.memoryLimit(), "the file is longer than the limit");
    assertTrue(p.dataOffset() + p.dataSize() <= p.mapSize() - 8);
    assertTrue(p.storeFd() > 0);
    assertEquals(p.storeFd(), store.fileDescriptor(p.storeFd()));
    assertThrows(CellarException.class, () -> store.fileDescriptor(p.storeFd() + 1000));
    assertFalse(p.sealed());
    assertTrue(p.owner());
    Payload q = store.create(A, 1);
    assertEquals(p.pointer() - p.dataOffset(), q.pointer() - q.dataOffset());
    assertEquals(1024 + 64, store.memoryUsage());
    assertEquals(2, store.blobCount());
    assertSame(Payload.EMPTY, store.create(A, 0));
  }

  @Test
  void createSealGetRelease() {
    Payload p = store.create(A, 64);
    long id = p.objectId();
    MemorySegment w = store.segment(id);
    assertFalse(w.isReadOnly());
    w.setString(0, "payload bytes");
    CellarException notSealed =
        assertThrows(CellarException.class, () -> store.get(B, new long[] {id}, false));
    assertEquals(StatusCode.OBJECT_NOT_SEALED, notSealed.status());
    assertEquals(1, store.get(B, new long[] {id}, true).size(), "unsafe sees unsealed blobs");
    store.release(B, id);

    store.seal(A, id);
    assertTrue(store.isSealed(id));
    store.seal(A, id); // sealing again is fine, as for the reference
    assertEquals(1, store.referenceCount(A), "and takes no second reference");
    assertEquals(
        StatusCode.OBJECT_NOT_EXISTS,
        assertThrows(CellarException.class, () -> store.seal(A, id + 1)).status());
    assertTrue(store.segment(id).isReadOnly());
    assertEquals("payload bytes", store.segment(id).getString(0));

    List<Payload> got = store.get(B, new long[] {id, id + 12345, ObjectIds.EMPTY_BLOB}, false);
    assertEquals(2, got.size(), "missing ids are skipped");
    assertEquals(p.dataOffset(), got.get(0).dataOffset());
    assertTrue(got.get(0).sealed());
    assertSame(Payload.EMPTY, got.get(1));
    assertEquals(1, store.referenceCount(A));
    assertEquals(1, store.referenceCount(B));
    store.release(B, id);
    assertEquals(
        StatusCode.OBJECT_NOT_EXISTS,
        assertThrows(CellarException.class, () -> store.release(B, id)).status(),
        "B held one: the reference's ObjectNotExists");
    assertEquals(
        StatusCode.KEY_ERROR,
        assertThrows(CellarException.class, () -> store.release(B + 100, id)).status(),
        "an owner that never held a reference: the reference's KeyError");
    store.addReference(B, id);
    store.addReference(B, id);
    assertEquals(1, store.referenceCount(B), "one reference per owner");
    store.addReference(B, id + 1);
    assertEquals(1, store.referenceCount(B), "an unknown id holds nothing");
    assertTrue(store.exists(id));
    assertEquals(64, store.size(id));
    assertEquals(-1, store.size(id + 1));
    assertArrayEquals(new long[] {id}, store.ids());
  }

  @Test
  void releaseAnswersAsTheReferenceDependencyTrackerDoes() {
    long id = store.create(A, 64).objectId();
    assertEquals(
        StatusCode.KEY_ERROR,
        assertThrows(CellarException.class, () -> store.release(A, id)).status(),
        "creating takes no reference");
    store.seal(A, id);
    store.release(A, id);
    assertEquals(
        StatusCode.KEY_ERROR,
        assertThrows(CellarException.class, () -> store.release(A, id)).status(),
        "the entry went with its last id: KeyError again, not ObjectNotExists");

    long unknown = id + 12345;
    assertEquals(0, store.get(A, new long[] {unknown}, false).size());
    assertEquals(
        StatusCode.OBJECT_NOT_EXISTS,
        assertThrows(CellarException.class, () -> store.release(A, id)).status(),
        "a get of an unknown id makes an entry");
    store.release(A, unknown);
    assertEquals(
        StatusCode.KEY_ERROR,
        assertThrows(CellarException.class, () -> store.release(A, unknown)).status(),
        "accepted once");

    store.seal(B, ObjectIds.EMPTY_BLOB);
    store.release(B, ObjectIds.EMPTY_BLOB);
    assertEquals(
        StatusCode.KEY_ERROR,
        assertThrows(CellarException.class, () -> store.release(B, ObjectIds.EMPTY_BLOB)).status(),
        "sealing the empty blob records it once");
    assertEquals(0, store.referenceCount(B), "and it holds nothing");
  }

  @Test
  void aDeleterKeepsTheIdInItsEntryButNotTheMemory() {
    long id = store.create(A, 4096).objectId();
    store.seal(A, id);
    assertArrayEquals(new long[] {id}, store.delete(A, new long[] {id}));
    assertEquals(0, store.memoryUsage(), "the deleter's reference holds no memory");
    assertEquals(0, store.referenceCount(A));
    store.release(A, id); // the reference keeps the id in the connection's entry
    assertEquals(
        StatusCode.KEY_ERROR,
        assertThrows(CellarException.class, () -> store.release(A, id)).status());
  }

  @Test
  void onlyASealedBlobNoOwnerReferencesIsNotInUse() {
    long id = store.create(A, 64).objectId();
    assertTrue(store.isInUse(id), "unsealed");
    store.seal(A, id);
    assertTrue(store.isInUse(id), "referenced by its sealer");
    store.release(A, id);
    assertFalse(store.isInUse(id), "cold");
    store.get(B, new long[] {id}, false);
    assertTrue(store.isInUse(id), "referenced again");
    store.release(B, id);
    assertFalse(store.isInUse(id));
    store.drop(id);
    assertTrue(store.isInUse(id), "deleted: off the reference's cold list");
    assertTrue(store.isInUse(id + 12345), "unknown");
    assertTrue(store.isInUse(ObjectIds.EMPTY_BLOB));
    assertTrue(store.isInUse(777), "an object id");
  }

  @Test
  void deletingAReferencedBlobKeepsItsMemoryUntilTheLastRelease() {
    Payload p = store.create(A, 4096);
    long id = p.objectId();
    store.segment(id).fill((byte) 0x5A);
    store.seal(A, id);
    store.get(B, new long[] {id}, false);
    MemorySegment view = store.segment(id);

    assertArrayEquals(new long[] {id}, store.delete(new long[] {id, 777}));
    assertFalse(store.exists(id));
    assertEquals(0, store.blobCount());
    assertEquals(4096, store.memoryUsage(), "still mapped by B, who got it");
    Payload other = store.create(A, 4096);
    assertNotEquals(p.dataOffset(), other.dataOffset(), "the memory is not handed out again");
    store.segment(other.objectId()).fill((byte) 1);
    assertEquals(0x5A, view.get(ValueLayout.JAVA_BYTE, 4095));

    // A's seal reference went with the delete: its id stays in A's entry holding nothing (as the
    // reference's dependency set keeps it), so A's release is answered and frees nothing
    store.release(A, id);
    assertEquals(8192, store.memoryUsage(), "A's release freed nothing: B still holds it");
    store.release(B, id);
    assertEquals(4096, store.memoryUsage(), "freed when the last reference went");
    assertEquals(p.dataOffset(), store.create(A, 4096).dataOffset(), "and reused first");
  }

  @Test
  void aDeleteFreesASealedBlobItsWriterStillHoldsButNotOneAReaderHolds() {
    Payload written = store.create(A, 4096);
    store.seal(A, written.objectId());
    store.delete(B, new long[] {written.objectId()});
    assertEquals(0, store.memoryUsage(), "the writer's seal reference is no reader's");
    assertEquals(0, store.referenceCount(A));

    Payload read = store.create(A, 4096);
    store.seal(A, read.objectId());
    store.get(A, new long[] {read.objectId()}, false); // the writer reads it back: a reader now
    store.delete(B, new long[] {read.objectId()});
    assertEquals(4096, store.memoryUsage(), "a reader's reference keeps the bytes");
    store.release(A, read.objectId());
    assertEquals(0, store.memoryUsage());

    Payload dropped = store.create(A, 4096);
    store.seal(A, dropped.objectId());
    store.drop(dropped.objectId());
    assertEquals(0, store.memoryUsage(), "drop_buffer frees it as well");
  }

  @Test
  void dropWithoutReferencesFreesAtOnce() {
    Payload p = store.create(A, 100);
    store.seal(A, p.objectId());
    store.release(A, p.objectId());
    store.drop(p.objectId());
    assertEquals(0, store.memoryUsage());
    assertEquals(
        StatusCode.OBJECT_NOT_EXISTS,
        assertThrows(CellarException.class, () -> store.drop(p.objectId())).status());
    assertEquals(0, store.delete(new long[] {p.objectId(), ObjectIds.EMPTY_BLOB}).length);
  }

  @Test
  void unsealedBlobsOfAClosedOwnerAreReclaimed() {
    Payload unsealed = store.create(A, MB);
    Payload sealed = store.create(A, MB);
    store.seal(A, sealed.objectId());
    store.get(B, new long[] {sealed.objectId()}, false);
    Payload others = store.create(B, MB);

    store.releaseOwner(A);
    store.releaseOwner(A);
    assertFalse(store.exists(unsealed.objectId()));
    assertTrue(store.exists(sealed.objectId()));
    assertTrue(store.exists(others.objectId()));
    assertEquals(0, store.referenceCount(A));
    assertEquals(2 * MB, store.memoryUsage());
    assertEquals(unsealed.dataOffset(), store.create(B, MB).dataOffset());
  }

  @Test
  void aDeletedUnsealedBlobStaysWithItsCreatorUntilItGoes() {
    Payload p = store.create(A, 4096);
    store.drop(p.objectId());
    assertEquals(4096, store.memoryUsage(), "the creator may still be writing");
    assertEquals(
        StatusCode.OBJECT_NOT_EXISTS,
        assertThrows(CellarException.class, () -> store.seal(A, p.objectId())).status());
    store.releaseOwner(A);
    assertEquals(0, store.memoryUsage());
  }

  @Test
  void shrinkGivesTheTailBack() {
    Payload p = store.create(A, 10_000);
    store.shrink(p.objectId(), 100);
    assertEquals(100, store.size(p.objectId()));
    assertEquals(128, store.memoryUsage());
    assertEquals(100, store.segment(p.objectId()).byteSize());
    assertEquals(
        StatusCode.INVALID,
        assertThrows(CellarException.class, () -> store.shrink(p.objectId(), 101)).status());
    store.seal(A, p.objectId());
    assertEquals(
        StatusCode.INVALID,
        assertThrows(CellarException.class, () -> store.shrink(p.objectId(), 50)).status());
    assertEquals(
        StatusCode.OBJECT_NOT_EXISTS,
        assertThrows(CellarException.class, () -> store.shrink(42, 0)).status());
  }

  @Test
  void theLimitGivesNotEnoughMemoryAndCreateManyIsAllOrNothing() {
    store.create(A, 10 * MB);
    CellarException e = assertThrows(CellarException.class, () -> store.create(A, 7 * MB));
    assertEquals(StatusCode.NOT_ENOUGH_MEMORY, e.status());
    assertTrue(
        e.getMessage().startsWith("Failed to allocate memory of size 7340032"), e.getMessage());
    assertThrows(CellarException.class, () -> store.createMany(A, new long[] {MB, MB, 5 * MB}));
    assertEquals(10 * MB, store.memoryUsage());
    assertEquals(1, store.blobCount());
    List<Payload> three = store.createMany(A, new long[] {MB, 0, 2 * MB});
    assertEquals(3, three.size());
    assertSame(Payload.EMPTY, three.get(1));
    assertEquals(13 * MB, store.memoryUsage());
    assertThrows(CellarException.class, () -> store.create(A, -1));
  }

  @Test
  void idsComeFromTheStoresOneIdGenerator() {
    store.close();
    IdGenerator ids = new IdGenerator(5, () -> 1000);
    store = new BlobStore(StoreConfig.ofLimit(MB), ids);
    long first = store.create(A, 1).objectId();
    long second = store.create(A, 1).objectId();
    assertEquals(ObjectIds.BLOB_BIT | 1000L << IdGenerator.MILLIS_SHIFT, first);
    assertEquals(first + 1, second, "the next tick of the same generator");
    assertEquals(0, IdGenerator.instanceOf(first), "blob ids carry instance 0");
    long object = ids.nextObjectId();
    assertEquals(5, IdGenerator.instanceOf(object));
    assertEquals(
        IdGenerator.sequenceOf(second) + 1,
        IdGenerator.sequenceOf(object),
        "blob and object ids come from one sequence");
  }

  @Test
  void theEmptyBlobIsAcceptedEverywhere() {
    assertTrue(store.exists(ObjectIds.EMPTY_BLOB));
    assertTrue(store.isSealed(ObjectIds.EMPTY_BLOB));
    assertEquals(0, store.size(ObjectIds.EMPTY_BLOB));
    store.seal(A, ObjectIds.EMPTY_BLOB);
    store.addReference(A, ObjectIds.EMPTY_BLOB);
    store.release(A, ObjectIds.EMPTY_BLOB);
    assertEquals(0, store.segment(ObjectIds.EMPTY_BLOB).byteSize());
    assertEquals(0, store.ids().length);
  }

  @Test
  void deletingOwnerGivesUpItsOwnHoldButNotOthers() {
    Payload p = store.create(A, MB);
    store.seal(A, p.objectId());
    store.get(B, new long[] {p.objectId()}, false);
    assertArrayEquals(new long[] {p.objectId()}, store.delete(A, new long[] {p.objectId()}));
    assertEquals(0, store.referenceCount(A), "the deleter's reference went with the delete");
    assertEquals(MB, store.memoryUsage(), "B still references it");
    store.releaseOwner(B);
    assertEquals(0, store.memoryUsage());

    Payload unsealed = store.create(A, MB);
    store.delete(A, new long[] {unsealed.objectId()});
    assertEquals(0, store.memoryUsage(), "a creator deleting its unsealed blob frees it");
  }

  @Test
  void blobsWrittenRightAfterCreationSurviveTheBackgroundPrefill() {
    store.close();
    store = open(StoreConfig.ofLimit(256 * MB).withPrefillAhead(8 * MB));
    java.util.Random random = new java.util.Random(42);
    List<Payload> made = new java.util.ArrayList<>();
    for (int i = 0; i < 300; i++) {
      Payload p = store.create(A, 1 + random.nextInt((int) (2 * MB)));
      MemorySegment s = store.segment(p.objectId());
      s.set(ValueLayout.JAVA_BYTE, 0, (byte) (i % 250 + 1));
      s.set(ValueLayout.JAVA_BYTE, p.dataSize() - 1, (byte) (i % 250 + 1));
      store.seal(A, p.objectId());
      made.add(p);
      if (i % 3 == 2) {
        Payload victim = made.remove(random.nextInt(made.size()));
        store.delete(A, new long[] {victim.objectId()});
      }
    }
    for (Payload p : made) {
      MemorySegment s = store.segment(p.objectId());
      byte first = s.get(ValueLayout.JAVA_BYTE, 0);
      assertNotEquals(0, first, "a zero fill landed on a blob in use");
      assertEquals(first, s.get(ValueLayout.JAVA_BYTE, p.dataSize() - 1));
    }
  }

  @Test
  void closingReportsWhatIsStillHeldAndReleasesEverythingAnyway() {
    Payload p = store.create(A, 8 * MB);
    store.segment(p.objectId()).fill((byte) 3);
    store.seal(A, p.objectId());
    store.get(B, new long[] {p.objectId()}, false);
    Payload unsealed = store.create(B, 100);
    OutstandingBlobs report = store.closeAndReport();
    assertEquals(1, report.referenced().size());
    assertEquals(p.objectId(), report.referenced().getFirst().blobId());
    assertArrayEquals(new long[] {A, B}, report.referenced().getFirst().owners());
    assertEquals(unsealed.objectId(), report.unsealed().getFirst().blobId());
    assertArrayEquals(new long[] {B}, report.unsealed().getFirst().owners());
    assertTrue(report.toString().contains("held by owners 1, 2"), report.toString());
    assertEquals(
        StatusCode.ALREADY_STOPPED,
        assertThrows(CellarException.class, () -> store.create(A, 1)).status());
    assertTrue(store.closeAndReport().isEmpty(), "closing twice reports nothing the second time");
  }

  @Test
  void closeFailsWhenSomethingIsStillHeld() {
    BlobStore leaky = open(StoreConfig.ofLimit(MB));
    long id = leaky.create(A, 64).objectId();
    IllegalStateException e = assertThrows(IllegalStateException.class, leaky::close);
    assertTrue(e.getMessage().contains(ObjectIds.toText(id) + " (64 bytes) held by owner 1"));
  }
}
