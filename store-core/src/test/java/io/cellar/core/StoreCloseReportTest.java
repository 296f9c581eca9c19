package io.cellar.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.core.blob.OutstandingBlobs;
import io.cellar.core.config.StoreConfig;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.StatusCode;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link Store#close()} as a leak check: what it reports, and that it releases everything. */
class StoreCloseReportTest {
  private static final long MIB = 1L << 20;

  @Test
  void aLeakIsReportedWithTheOwnerAndTheBlobNamedAndEverythingIsReleasedAnyway() {
    Store store = Store.open(StoreConfig.ofLimit(16 * MIB));
    long writer = store.openOwner();
    long reader = store.openOwner();
    long sealed = store.createBlob(writer, 4096).objectId();
    store.seal(writer, sealed);
    store.getBlobs(reader, new long[] {sealed}, false);
    long unsealed = store.createBlob(writer, 100).objectId();
    store.closeOwner(writer); // the writer goes; its unsealed blob goes with it
    long unsealedByReader = store.createBlob(reader, 64).objectId();

    StoreReport before = store.outstanding();
    assertArrayEquals(new long[] {reader}, before.openOwners());
    assertEquals(1, before.blobs().referenced().size());
    OutstandingBlobs.Held held = before.blobs().referenced().getFirst();
    assertEquals(sealed, held.blobId());
    assertEquals(4096, held.size());
    assertArrayEquals(new long[] {reader}, held.owners());
    assertEquals(unsealedByReader, before.blobs().unsealed().getFirst().blobId());
    assertTrue(store.exists(sealed), "outstanding() closes nothing");

    IllegalStateException e = assertThrows(IllegalStateException.class, store::close);
    String report = e.getMessage();
    assertTrue(report.contains("1 owner still open: " + reader), report);
    assertTrue(
        report.contains(ObjectIds.toText(sealed) + " (4096 bytes) held by owner " + reader),
        report);
    assertTrue(report.contains("1 blob still unsealed"), report);
    assertTrue(report.contains(ObjectIds.toText(unsealedByReader)), report);
    assertTrue(!report.contains(ObjectIds.toText(unsealed)), "reclaimed with its creator");

    CellarException stopped =
        assertThrows(CellarException.class, () -> store.createBlob(reader, 1));
    assertEquals(StatusCode.ALREADY_STOPPED, stopped.status(), "released and closed anyway");
    store.close(); // idempotent, and nothing is reported twice
  }

  @Test
  void aServerThatClosesItsOwnersFirstClosesCleanly() {
    Store store = Store.open(StoreConfig.ofLimit(16 * MIB));
    long connection = store.openOwner();
    long id = store.createBlob(connection, 1000).objectId();
    store.seal(connection, id);
    store.createBlob(connection, 10); // left unsealed by a client that went away
    store.closeOwner(connection);
    assertTrue(store.outstanding().isClean(), "a stored blob nobody references is no leak");
    StoreReport report = store.closeAndReport();
    assertTrue(report.isClean(), report::toString);
    assertEquals("nothing outstanding", report.toString());
  }

  @Test
  void closeAndReportDoesNotThrowAndFailsPendingWaits() {
    Store store = Store.open(StoreConfig.ofLimit(MIB));
    long owner = store.openOwner();
    CompletableFuture<Long> name = store.awaitName("never");
    StoreReport report = store.closeAndReport();
    assertArrayEquals(new long[] {owner}, report.openOwners());
    assertTrue(name.isCompletedExceptionally(), "a wait does not outlive its store");
    assertTrue(store.closeAndReport().isClean(), "a second close reports nothing");
  }
}
