package io.cellar.core.blob;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.collections.LongHashSet;

/**
 * Who holds what: for each owner (a connection, an in-process user), the blobs it references (at
 * most one reference per blob) and the blobs it created and has not sealed yet; and what is
 * released when a reference or an owner goes. It keeps each blob's reference count in step: the
 * first reference takes a blob off the cold list, the last one puts it back, or frees it when it
 * was deleted meanwhile.
 *
 * <p>Not thread-safe: every method must be called under the owning {@link BlobStore}'s lock. Spill
 * files to remove are handed back to the caller, to remove outside the lock.
 */
final class OwnerLedger {
  private static final LongHashSet NONE = new LongHashSet();

  private final BlobTable table;
  private final BlobSpiller spiller;
  private final Long2ObjectHashMap<LongHashSet> references = new Long2ObjectHashMap<>();
  private final Long2ObjectHashMap<LongHashSet> unsealed = new Long2ObjectHashMap<>();

  /** Owners that have held a reference since they began (the reference's dependency entries). */
  private final LongHashSet everHeld = new LongHashSet();

  OwnerLedger(BlobTable table, BlobSpiller spiller) {
    this.table = table;
    this.spiller = spiller;
  }

  /** Gives an owner a reference to a blob, unless it holds one already. */
  void reference(long owner, BlobEntry e) {
    everHeld.add(owner);
    if (owner == e.creator) {
      e.sealHold = false; // the creator reads it now: its reference protects a reader
    }
    if (references.computeIfAbsent(owner, k -> new LongHashSet()).add(e.id)) {
      e.refCount++;
      if (e.refCount == 1) {
        spiller.notCold(e);
      }
    }
  }

  /**
   * Whether an owner has held any reference since it began (released or not), as the reference's
   * dependency tracker keeps a connection's entry once it has one.
   *
   * @param owner the owner
   * @return true when it has held at least one
   */
  boolean hasHeldAny(long owner) {
    return everHeld.contains(owner);
  }

  /**
   * Drops an owner's reference to a blob, live or deleted.
   *
   * @return false when the owner held none
   */
  boolean release(long owner, long blobId, LongArrayList files) {
    if (!dropEntry(references, owner, blobId)) {
      return false;
    }
    unreferenced(table.any(blobId), files);
    return true;
  }

  /** Ends an owner: drops its references and reclaims the blobs it never sealed. Idempotent. */
  void releaseOwner(long owner, LongArrayList files) {
    everHeld.remove(owner);
    LongHashSet refs = references.remove(owner);
    for (LongHashSet.LongIterator it = (refs == null ? NONE : refs).iterator(); it.hasNext(); ) {
      unreferenced(table.any(it.nextValue()), files);
    }
    LongHashSet made = unsealed.remove(owner);
    for (LongHashSet.LongIterator it = (made == null ? NONE : made).iterator(); it.hasNext(); ) {
      BlobEntry e = table.any(it.nextValue());
      if (e != null) {
        e.creatorHolds = false;
        if (!e.deleted) {
          table.retire(e);
        }
        table.reclaimIfUnheld(e, files);
      }
    }
  }

  /** Records that an owner created a blob it has not sealed yet. */
  void created(long owner, long blobId) {
    unsealed.computeIfAbsent(owner, k -> new LongHashSet()).add(blobId);
  }

  /** Records that a blob was sealed: its creator no longer holds its memory. */
  void sealed(BlobEntry e) {
    e.creatorHolds = false;
    dropEntry(unsealed, e.creator, e.id);
  }

  /**
   * The creator's reference taken by its seal: a writer's, which a delete gives up (see {@link
   * #giveUp}).
   */
  void sealReference(BlobEntry e) {
    reference(e.creator, e);
    e.sealHold = true;
  }

  /**
   * An owner deleting a blob gives up its own holds on it first: its reference, and its creator's
   * hold on a blob it never sealed. The reference its creator's seal took goes too, whoever deletes
   * (another connection, another instance through the cluster): the reference frees a deleted blob
   * its writer is still connected to. Readers' references stay.
   */
  void giveUp(long owner, BlobEntry e) {
    if (dropEntry(references, owner, e.id)) {
      e.refCount--;
    }
    if (e.sealHold) {
      e.sealHold = false;
      if (dropEntry(references, e.creator, e.id)) {
        e.refCount--;
      }
    }
    if (e.state == BlobState.UNSEALED && e.creator == owner) {
      sealed(e);
    }
  }

  /** Forgets a blob created and discarded before anyone saw it. */
  void discarded(BlobEntry e) {
    dropEntry(unsealed, e.creator, e.id);
  }

  /** How many blobs an owner references. */
  int referenceCount(long owner) {
    LongHashSet refs = references.get(owner);
    return refs == null ? 0 : refs.size();
  }

  /** What is still held: referenced blobs with their owners, unsealed blobs with their creator. */
  OutstandingBlobs outstanding() {
    return new OutstandingBlobs(held(references), held(unsealed));
  }

  /** Forgets everything (after a close has reported it). */
  void clear() {
    references.clear();
    unsealed.clear();
  }

  private void unreferenced(BlobEntry e, LongArrayList files) {
    if (e == null) {
      return;
    }
    e.refCount--;
    if (e.refCount > 0) {
      return;
    }
    if (e.deleted) {
      table.reclaimIfUnheld(e, files);
    } else {
      spiller.becameCold(e);
    }
  }

  private static boolean dropEntry(Long2ObjectHashMap<LongHashSet> map, long owner, long id) {
    LongHashSet s = map.get(owner);
    if (s == null || !s.remove(id)) {
      return false;
    }
    if (s.isEmpty()) {
      map.remove(owner);
    }
    return true;
  }

  private List<OutstandingBlobs.Held> held(Long2ObjectHashMap<LongHashSet> byOwner) {
    Map<Long, LongArrayList> byBlob = new TreeMap<>(Long::compareUnsigned);
    byOwner.forEach(
        (owner, blobs) -> {
          for (LongHashSet.LongIterator it = blobs.iterator(); it.hasNext(); ) {
            byBlob.computeIfAbsent(it.nextValue(), k -> new LongArrayList()).addLong(owner);
          }
        });
    List<OutstandingBlobs.Held> out = new ArrayList<>(byBlob.size());
    byBlob.forEach(
        (id, owners) -> {
          BlobEntry e = table.any(id);
          long[] sorted = owners.toLongArray();
          Arrays.sort(sorted);
          out.add(new OutstandingBlobs.Held(id, e == null ? -1 : e.size, sorted));
        });
    return List.copyOf(out);
  }
}
