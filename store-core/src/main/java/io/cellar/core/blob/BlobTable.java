package io.cellar.core.blob;

import io.cellar.core.id.IdGenerator;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.StatusCode;
import java.util.ArrayList;
import java.util.List;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;

/**
 * The blobs of one store by lifecycle state ({@link BlobState}), and the memory each state holds:
 * live blobs by id, deleted blobs that something still holds, how many blobs are in each state, and
 * new ids. A deleted blob's memory goes back (its block to the allocator, its spill file to the
 * caller's list of files to remove) only once nothing holds it ({@link #reclaimIfUnheld}).
 *
 * <p>Not thread-safe: every method must be called under the owning {@link BlobStore}'s lock. The
 * table never does file I/O; it hands spill files to remove back to its caller.
 */
final class BlobTable {
  private static final int ID_ATTEMPTS = 1 << 16;

  private final IdGenerator ids;
  private final BlobArena arena;
  private final Long2ObjectHashMap<BlobEntry> live = new Long2ObjectHashMap<>();
  private final Long2ObjectHashMap<BlobEntry> retired = new Long2ObjectHashMap<>();
  private final int[] counts = new int[BlobState.values().length];
  private boolean closed;

  BlobTable(IdGenerator ids, BlobArena arena) {
    this.ids = ids;
    this.arena = arena;
  }

  /** A new unsealed blob in a block already allocated, under a new id. */
  BlobEntry create(long creator, long size, long offset) {
    BlobEntry e = new BlobEntry(newId(), creator, size, offset);
    live.put(e.id, e);
    counts[BlobState.UNSEALED.ordinal()]++;
    return e;
  }

  /** Undoes {@link #create} of a blob nobody has seen yet: forgets it and frees its block. */
  void discard(BlobEntry e) {
    live.remove(e.id);
    arena.free(e.offset);
    transition(e, BlobState.FREED);
  }

  /** Moves a blob to another state, keeping the counts (freed blobs are not counted). */
  void transition(BlobEntry e, BlobState to) {
    counts[e.state.ordinal()]--;
    e.state = to;
    if (to != BlobState.FREED) {
      counts[to.ordinal()]++;
    }
  }

  /** The live (not deleted) blob with an id, or null. */
  BlobEntry live(long id) {
    return live.get(id);
  }

  /** The live blob with an id, or ObjectNotExists (12). */
  BlobEntry liveOrThrow(long id) {
    BlobEntry e = live.get(id);
    if (e == null) {
      throw CellarException.notExists("blob " + ObjectIds.toText(id) + " does not exist");
    }
    return e;
  }

  /** The blob with an id, live or deleted and still held, or null. */
  BlobEntry any(long id) {
    BlobEntry e = live.get(id);
    return e != null ? e : retired.get(id);
  }

  /**
   * Deletes a live blob: its id is gone at once; its memory stays until {@link #reclaimIfUnheld}.
   */
  void retire(BlobEntry e) {
    live.remove(e.id);
    e.deleted = true;
    retired.put(e.id, e);
  }

  /**
   * Frees a deleted blob's memory if nothing holds it: no reference, no creator still writing it,
   * no transfer in flight (the transfer's end calls this again).
   *
   * @param e a deleted blob
   * @param files receives the blob id when its spill file is to be removed (outside the lock)
   * @return true when freed
   */
  boolean reclaimIfUnheld(BlobEntry e, LongArrayList files) {
    if (!e.deleted || e.state == BlobState.FREED || e.isHeld()) {
      return false;
    }
    retired.remove(e.id);
    if (e.state == BlobState.SPILLED) {
      files.addLong(e.id);
    } else if (e.offset >= 0) {
      arena.free(e.offset);
    }
    e.offset = -1;
    transition(e, BlobState.FREED);
    return true;
  }

  /** Live blob ids, in no particular order. */
  long[] liveIds() {
    long[] out = new long[live.size()];
    int i = 0;
    for (Long2ObjectHashMap<BlobEntry>.KeyIterator it = live.keySet().iterator(); it.hasNext(); ) {
      out[i++] = it.nextLong();
    }
    return out;
  }

  /** Every blob still in the table, live and deleted-but-held. */
  List<BlobEntry> all() {
    List<BlobEntry> out = new ArrayList<>(live.values());
    out.addAll(retired.values());
    return out;
  }

  int liveCount() {
    return live.size();
  }

  /** How many blobs (live or deleted-but-held) are in a state other than FREED. */
  int count(BlobState state) {
    return counts[state.ordinal()];
  }

  /** Refuses new work once closed: AlreadyStopped (36). */
  void ensureOpen() {
    if (closed) {
      throw new CellarException(StatusCode.ALREADY_STOPPED, "the blob store is closed");
    }
  }

  boolean isClosed() {
    return closed;
  }

  /** Marks the table closed; every later {@link #ensureOpen} fails. */
  void close() {
    closed = true;
  }

  /** Forgets every blob after a close; the arena they lived in is gone. */
  void forgetAll() {
    for (BlobEntry e : all()) {
      transition(e, BlobState.FREED);
    }
    live.clear();
    retired.clear();
  }

  private long newId() {
    for (int i = 0; i < ID_ATTEMPTS; i++) {
      long id = ids.nextBlobId();
      if (id != ObjectIds.EMPTY_BLOB
          && id != ObjectIds.INVALID
          && !live.containsKey(id)
          && !retired.containsKey(id)) {
        return id;
      }
    }
    throw new CellarException(
        StatusCode.ASSERTION_FAILED, "the id generator keeps giving blob ids already in use");
  }
}
