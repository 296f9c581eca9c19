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
 * <p>As the reference's dependency tracker ({@code usage.h}), an owner's entry also records ids
 * that hold nothing: ids it referenced that named no blob in memory (an unknown id, an object id,
 * the empty blob, a deleted blob) and blobs it deleted while it held them. They count for no blob
 * and free nothing; they are there so that {@code release} answers as the reference does: ok for
 * any id in the entry, ObjectNotExists for an id outside it, KeyError when the owner's entry is
 * empty (the reference erases an entry with its last id).
 *
 * <p>Not thread-safe: every method must be called under the owning {@link BlobStore}'s lock. Spill
 * files to remove are handed back to the caller, to remove outside the lock.
 */
final class OwnerLedger {
  private static final LongHashSet NONE = new LongHashSet();

  private final BlobTable table;
  private final BlobSpiller spiller;
  private final Long2ObjectHashMap<LongHashSet> references = new Long2ObjectHashMap<>();
  private final Long2ObjectHashMap<LongHashSet> unbacked = new Long2ObjectHashMap<>();
  private final Long2ObjectHashMap<LongHashSet> unsealed = new Long2ObjectHashMap<>();

  OwnerLedger(BlobTable table, BlobSpiller spiller) {
    this.table = table;
    this.spiller = spiller;
  }

  /** Gives an owner a reference to a live blob, unless it holds one already. */
  void reference(long owner, BlobEntry e) {
    dropEntry(unbacked, owner, e.id);
    e.spilledToMakeRoom = false;
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
   * Records that an owner referenced an id that names no live blob (an unknown id, an object id,
   * the empty blob, a deleted blob): it holds nothing, but {@link #release} accepts it once.
   */
  void referenceUnbacked(long owner, long id) {
    LongHashSet refs = references.get(owner);
    if (refs == null || !refs.contains(id)) {
      unbacked.computeIfAbsent(owner, k -> new LongHashSet()).add(id);
    }
  }

  /**
   * Whether an owner's entry holds any id, counted or not (the reference's dependency entry
   * exists).
   *
   * @param owner the owner
   * @return true when it holds at least one id
   */
  boolean holdsAny(long owner) {
    return references.containsKey(owner) || unbacked.containsKey(owner);
  }

  /**
   * Drops an id from an owner's entry: its reference to a blob (live or deleted), or an id that
   * held nothing.
   *
   * @return false when the id is not in the owner's entry
   */
  boolean release(long owner, long id, LongArrayList files) {
    if (dropEntry(references, owner, id)) {
      unreferenced(table.any(id), files);
      return true;
    }
    return dropEntry(unbacked, owner, id);
  }

  /** Ends an owner: drops its references and reclaims the blobs it never sealed. Idempotent. */
  void releaseOwner(long owner, LongArrayList files) {
    unbacked.remove(owner);
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
   * An owner deleting a blob gives up its own holds on it first: its reference (the id stays in its
   * entry, holding nothing, as the reference keeps it), and its creator's hold on a blob it never
   * sealed. The reference its creator's seal took goes too, whoever deletes (another connection,
   * another instance through the cluster), so a deleted blob is freed while its writer is still
   * connected; the id stays in the writer's entry, holding nothing. Readers' references stay.
   */
  void giveUp(long owner, BlobEntry e) {
    if (dropEntry(references, owner, e.id)) {
      e.refCount--;
      unbacked.computeIfAbsent(owner, k -> new LongHashSet()).add(e.id);
    }
    if (e.sealHold) {
      e.sealHold = false;
      if (dropEntry(references, e.creator, e.id)) {
        e.refCount--;
        unbacked.computeIfAbsent(e.creator, k -> new LongHashSet()).add(e.id);
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
    unbacked.clear();
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
