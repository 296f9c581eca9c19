package io.cellar.core.blob;

import io.cellar.core.config.StoreConfig;
import io.cellar.core.id.IdGenerator;
import io.cellar.core.spill.SpillDirectory;
import io.cellar.core.spill.SpillFiles;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.Payload;
import io.cellar.protocol.StatusCode;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.agrona.collections.LongArrayList;

/**
 * Blobs in one shared arena with vineyardd's lifecycle: create unsealed, seal, per-owner
 * references, release, delete, spill and reload. It composes four parts under one lock: the {@link
 * BlobArena} (the memfd file, its allocator and prefiller), the {@link BlobTable} (each blob's
 * state and the memory it holds), the {@link OwnerLedger} (who holds what) and the {@link
 * BlobSpiller} (the spill policy, whose file I/O runs outside the lock).
 *
 * <p><b>Owners and references.</b> An owner (a connection, an in-process user) holds at most one
 * reference per blob, taken by {@link #seal}, {@link #get} and {@link #addReference}. A blob's
 * creator holds its memory while it is unsealed; {@link #releaseOwner} reclaims the unsealed blobs
 * of an owner that goes away. As in the reference, those calls also record ids that name no blob
 * (unknown or deleted ids, the empty blob) in the owner's entry, holding nothing, and {@link
 * #release} accepts each of them once.
 *
 * <p><b>Deletion is safe for readers.</b> {@link #drop} and {@link #delete} remove the id at once,
 * but the memory is reused only when no reader references the blob any more (and, for an unsealed
 * blob, when its creator is gone): a client that maps it through a get never sees its bytes change.
 * The reference a writer's seal took is no reader's: any delete gives it up, so a deleted blob's
 * memory comes back while its writer is still connected, as with the reference vineyardd.
 *
 * <p><b>Spilling.</b> With a spill path, cold blobs (sealed, unreferenced, unpinned) go to spill
 * files when an allocation needs room; a spilled blob comes back (bit-exact, perhaps at a new
 * offset) on {@link #get}, {@link #addReference} or {@link #load}.
 *
 * <p><b>Threading.</b> Thread-safe. The lock is held for microseconds; calls documented to spill or
 * reload do that file I/O without it, and may wait for another thread's transfer of the same blob.
 *
 * <p><b>Memory.</b> Payloads and segments point into the arena, owned by this store until it is
 * closed. A blob's bytes stay put while any owner references it (or, unsealed, while its creator
 * lives).
 */
public final class BlobStore implements AutoCloseable {
  /** An owner id no client has: {@link #delete(long, long[])} with it gives up no hold. */
  public static final long NO_OWNER = Long.MIN_VALUE;

  private final long memoryLimit;
  private final Object lock = new Object();
  private final BlobArena arena;
  private final BlobTable table;
  private final BlobSpiller spiller;
  private final OwnerLedger ledger;
  private final IdleTrimmer idleTrimmer;

  /**
   * Opens a blob store: creates its arena and, with a spill path, checks that it is writable;
   * starts the prefiller last, once everything is built.
   *
   * @param config limit, {@code reserveMemory}, {@code hugepages}, spill path and rates, prefill
   * @param ids the store's one id generator; blob ids come from {@link IdGenerator#nextBlobId()}
   * @throws CellarException when the arena cannot be created or the spill path is not writable
   */
  public BlobStore(StoreConfig config, IdGenerator ids) {
    this(config, ids, UnaryOperator.identity());
  }

  /** As {@link #BlobStore(StoreConfig, IdGenerator)}, with the spill directory wrapped (tests). */
  BlobStore(StoreConfig config, IdGenerator ids, UnaryOperator<SpillFiles> spillFiles) {
    long limit = config.memoryLimit();
    if (limit < 0) {
      throw CellarException.invalid("negative memory limit: " + limit);
    }
    this.memoryLimit = limit;
    SpillFiles dir =
        config.spillPath() == null
            ? null
            : spillFiles.apply(SpillDirectory.open(config.spillPath()));
    this.arena = new BlobArena(config, this::unsealedCount);
    this.table = new BlobTable(ids, arena);
    this.spiller =
        new BlobSpiller(
            lock,
            table,
            arena,
            dir,
            (long) (limit * config.spillUpperRate()),
            (long) (limit * config.spillLowerRate()));
    this.ledger = new OwnerLedger(table, spiller);
    Duration idle = config.idleTrim();
    this.idleTrimmer =
        idle == null || idle.isZero() || config.reserveMemory()
            ? null
            : new IdleTrimmer(arena, idle, () -> trim(false));
    arena.start(); // last: the prefiller's thread calls unsealedCount on this store
    if (idleTrimmer != null) {
      idleTrimmer.start();
    }
  }

  // ---------------------------------------------------------------- create, seal, shrink

  /**
   * Creates an unsealed, writable blob; the creator holds its memory until it seals or goes. No
   * page is touched, but with a spill path cold blobs may be spilled first to make room (file I/O,
   * outside the lock).
   *
   * @param owner the creating owner
   * @param size bytes, 0 for {@link Payload#EMPTY}
   * @return where the blob lives
   * @throws CellarException {@code NOT_ENOUGH_MEMORY} (41) "Failed to allocate memory of size N"
   *     when the limit is hit and nothing can be spilled; {@code INVALID} for a negative size
   */
  public Payload create(long owner, long size) {
    return size == 0 ? Payload.EMPTY : createMany(owner, new long[] {size}).getFirst();
  }

  /**
   * Creates several unsealed blobs, all or none, as {@link #create} does.
   *
   * @param owner the creating owner
   * @param sizes bytes per blob; a 0 gives {@link Payload#EMPTY}
   * @return one payload per size, in order
   */
  public List<Payload> createMany(long owner, long[] sizes) {
    LongArrayList blocks = new LongArrayList();
    for (long size : sizes) {
      if (size < 0) {
        throw CellarException.invalid("negative blob size: " + size);
      }
      if (size > 0) {
        blocks.addLong(size);
      }
    }
    if (blocks.isEmpty()) {
      synchronized (lock) {
        table.ensureOpen();
        return register(owner, sizes, new long[0]);
      }
    }
    return spiller.allocate(blocks.toLongArray(), offsets -> register(owner, sizes, offsets));
  }

  /** Lock held: the new blobs in their placed blocks. */
  private List<Payload> register(long owner, long[] sizes, long[] offsets) {
    List<Payload> out = new ArrayList<>(sizes.length);
    List<BlobEntry> made = new ArrayList<>(offsets.length);
    int next = 0;
    try {
      for (long size : sizes) {
        if (size == 0) {
          out.add(Payload.EMPTY);
          continue;
        }
        BlobEntry e = table.create(owner, size, offsets[next++]);
        ledger.created(owner, e.id);
        made.add(e);
        out.add(arena.payloadOf(e));
      }
    } catch (RuntimeException ex) {
      for (BlobEntry e : made) {
        ledger.discarded(e);
        table.discard(e);
      }
      for (int i = next; i < offsets.length; i++) {
        arena.free(offsets[i]);
      }
      throw ex;
    }
    return out;
  }

  /**
   * Seals a blob: it becomes immutable and readable, and {@code owner} takes a reference.
   *
   * @param owner the sealing owner
   * @param id the blob
   * @throws CellarException {@code OBJECT_NOT_EXISTS} (12). Sealing a sealed blob again is not an
   *     error, as for the reference: the owner takes its reference (once), also to a spilled blob
   *     (which stays on disk until a get). The empty blob is sealed already; the owner's entry
   *     records it, holding nothing
   */
  public void seal(long owner, long id) {
    arena.activity();
    synchronized (lock) {
      table.ensureOpen();
      if (id == ObjectIds.EMPTY_BLOB) {
        ledger.referenceUnbacked(owner, id);
        return;
      }
      BlobEntry e = table.liveOrThrow(id);
      if (e.state != BlobState.UNSEALED) {
        // wherever its bytes are: a spilled blob is read back by the next get, not by a seal,
        // which never does file I/O
        ledger.reference(owner, e);
        return;
      }
      table.transition(e, BlobState.SEALED);
      ledger.sealed(e);
      if (owner == e.creator) {
        ledger.sealReference(e);
      } else {
        ledger.reference(owner, e);
      }
    }
  }

  /**
   * Shrinks an unsealed blob, returning its tail to the allocator.
   *
   * @param id the blob
   * @param size the new length, at most the current one
   * @throws CellarException {@code OBJECT_NOT_EXISTS} (12); {@code INVALID} (1) when sealed or when
   *     {@code size} is negative or larger than the blob
   */
  public void shrink(long id, long size) {
    synchronized (lock) {
      table.ensureOpen();
      BlobEntry e = table.liveOrThrow(id);
      if (e.state != BlobState.UNSEALED || size < 0 || size > e.size) {
        throw CellarException.invalid(
            "cannot shrink "
                + (e.state == BlobState.UNSEALED ? "" : "sealed ")
                + "blob "
                + ObjectIds.toText(id)
                + " of "
                + e.size
                + " bytes to "
                + size);
      }
      arena.shrink(e.offset, size);
      e.size = size;
    }
  }

  // ---------------------------------------------------------------- references

  /**
   * Gets blobs for reading and gives {@code owner} a reference to each. Missing ids are skipped
   * (and recorded in the owner's entry, holding nothing, as the reference records them), the empty
   * blob gives {@link Payload#EMPTY}; spilled blobs are reloaded first (file I/O, outside the lock;
   * a blob another thread is loading is waited for).
   *
   * @param owner the reading owner
   * @param ids blob ids
   * @param unsafe also return unsealed blobs
   * @return payloads of the blobs found, in request order
   * @throws CellarException {@code OBJECT_NOT_SEALED} (14) for an unsealed blob unless {@code
   *     unsafe} (checked before any reference is taken); {@code NOT_ENOUGH_MEMORY} or {@code
   *     IO_ERROR} when a reload fails (the references are kept, the blob stays spilled)
   */
  public List<Payload> get(long owner, long[] ids, boolean unsafe) {
    arena.activity();
    BlobEntry[] found = new BlobEntry[ids.length];
    List<BlobEntry> toLoad = new ArrayList<>(0);
    synchronized (lock) {
      table.ensureOpen();
      for (int i = 0; i < ids.length; i++) {
        found[i] = ids[i] == ObjectIds.EMPTY_BLOB ? null : table.live(ids[i]);
        if (found[i] != null && found[i].state == BlobState.UNSEALED && !unsafe) {
          throw new CellarException(
              StatusCode.OBJECT_NOT_SEALED, "blob " + ObjectIds.toText(ids[i]) + " is not sealed");
        }
      }
      for (int i = 0; i < ids.length; i++) {
        BlobEntry e = found[i];
        if (e == null) {
          ledger.referenceUnbacked(owner, ids[i]);
        } else {
          ledger.reference(owner, e);
          if (!e.state.readable()) {
            toLoad.add(e);
          }
        }
      }
      if (toLoad.isEmpty()) {
        return payloadsOf(ids, found);
      }
    }
    for (BlobEntry e : toLoad) {
      spiller.ensureResident(e);
    }
    synchronized (lock) {
      return payloadsOf(ids, found);
    }
  }

  /** Lock held: payloads in request order; each found blob is referenced and was made readable. */
  private List<Payload> payloadsOf(long[] ids, BlobEntry[] found) {
    List<Payload> out = new ArrayList<>(ids.length);
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] == ObjectIds.EMPTY_BLOB) {
        out.add(Payload.EMPTY);
      } else if (found[i] != null) {
        if (!found[i].state.readable()) {
          throw new CellarException(
              StatusCode.ASSERTION_FAILED,
              "blob " + ObjectIds.toText(ids[i]) + " is " + found[i].state + " while referenced");
        }
        out.add(arena.payloadOf(found[i]));
      }
    }
    return out;
  }

  /**
   * Gives {@code owner} a reference to a blob (at most one per owner), reloading it if spilled
   * (file I/O, outside the lock). An id that names no live blob (unknown, deleted, the empty blob,
   * an object id) is recorded in the owner's entry, holding nothing, as the reference records it.
   *
   * @param owner the owner
   * @param id the blob, or any id
   */
  public void addReference(long owner, long id) {
    BlobEntry e;
    synchronized (lock) {
      table.ensureOpen();
      e = id == ObjectIds.EMPTY_BLOB ? null : table.live(id);
      if (e == null) {
        ledger.referenceUnbacked(owner, id);
        return;
      }
      ledger.reference(owner, e);
      if (e.state.readable()) {
        return;
      }
    }
    spiller.ensureResident(e);
  }

  /**
   * Drops {@code owner}'s reference to a blob. When the last reference goes, a deleted blob's
   * memory (or spill file) is freed and a live one becomes cold. An id recorded without a blob (see
   * {@link #addReference}) is dropped from the owner's entry.
   *
   * @param owner the owner
   * @param id the blob, live or already deleted, or an id recorded without a blob
   * @throws CellarException as the reference answers: {@code KEY_ERROR} (2) when the owner's entry
   *     is empty (it holds no id at all, counted or not), {@code OBJECT_NOT_EXISTS} (12) when it
   *     holds others but not this one
   */
  public void release(long owner, long id) {
    LongArrayList files = new LongArrayList();
    synchronized (lock) {
      table.ensureOpen();
      if (!ledger.holdsAny(owner)) {
        throw new CellarException(
            StatusCode.KEY_ERROR,
            "this connection holds no blob reference (releasing " + ObjectIds.toText(id) + ")");
      }
      if (!ledger.release(owner, id, files)) {
        throw CellarException.notExists(
            "this connection holds no reference to blob " + ObjectIds.toText(id));
      }
    }
    spiller.removeFiles(files);
  }

  /**
   * Ends an owner: drops every reference it holds and reclaims the blobs it created and never
   * sealed (freed at once unless another owner took an unsafe reference). Idempotent.
   *
   * @param owner the owner
   */
  public void releaseOwner(long owner) {
    LongArrayList files = new LongArrayList();
    synchronized (lock) {
      table.ensureOpen();
      ledger.releaseOwner(owner, files);
    }
    spiller.removeFiles(files);
  }

  // ---------------------------------------------------------------- delete

  /**
   * Removes a blob ({@code drop_buffer}): the id is gone at once, the memory once unreferenced.
   *
   * @param id the blob
   * @throws CellarException {@code OBJECT_NOT_EXISTS} (12)
   */
  public void drop(long id) {
    LongArrayList files = new LongArrayList();
    synchronized (lock) {
      table.ensureOpen();
      BlobEntry e = table.liveOrThrow(id);
      ledger.giveUp(NO_OWNER, e);
      deleteLocked(e, files);
    }
    spiller.removeFiles(files);
  }

  /**
   * Removes blobs as {@link #drop} does; missing ids (and the empty blob) are ignored.
   *
   * @param ids blob ids
   * @return the ids that were removed, in request order
   */
  public long[] delete(long[] ids) {
    return delete(NO_OWNER, ids);
  }

  /**
   * Removes blobs on behalf of an owner, which first gives up its own holds on them: its reference
   * (a client that sealed a blob and deletes it never releases it separately) and its creator's
   * hold on a blob it never sealed; the reference the blob's writer took by sealing it goes too,
   * whoever deletes. Other owners' references (readers') keep the memory until they go.
   *
   * @param owner the deleting owner, or {@link #NO_OWNER}
   * @param ids blob ids; missing ones are ignored
   * @return the ids that were removed, in request order
   */
  public long[] delete(long owner, long[] ids) {
    arena.activity();
    LongArrayList deleted = new LongArrayList();
    LongArrayList files = new LongArrayList();
    synchronized (lock) {
      table.ensureOpen();
      for (long id : ids) {
        BlobEntry e = table.live(id);
        if (e != null) {
          ledger.giveUp(owner, e);
          deleteLocked(e, files);
          deleted.addLong(id);
        }
      }
    }
    spiller.removeFiles(files);
    return deleted.toLongArray();
  }

  private void deleteLocked(BlobEntry e, LongArrayList files) {
    table.retire(e);
    spiller.notCold(e);
    table.reclaimIfUnheld(e, files);
  }

  // ---------------------------------------------------------------- trim

  /**
   * Gives the pages of free memory back to the system ({@code memory_trim}, {@code del_data} with
   * {@code memory_trim=true}): every free range that may hold pages, the prefill window included,
   * is hole-punched, and the window is not refilled before the next allocation. Memory still
   * referenced (a deleted blob a client maps) stays until it is freed. The store's lock is taken
   * once per chunk of {@value BlobArena#TRIM_CHUNK} bytes, not for the whole trim.
   *
   * @return the bytes given back
   */
  public long trim() {
    return trim(true);
  }

  /**
   * A trim: {@code explicit} as {@link #trim()}, else the idle trim, which keeps the prefill window
   * ahead of the allocations.
   */
  long trim(boolean explicit) {
    long[] range = new long[2];
    long[] keep = new long[2];
    long[] freed = new long[1];
    synchronized (lock) {
      if (table.isClosed()) {
        return 0;
      }
      arena.beginTrim(explicit, range, keep);
    }
    long cursor = range[0];
    while (cursor < range[1]) {
      synchronized (lock) {
        if (table.isClosed()) {
          break;
        }
        cursor = arena.trimStep(cursor, range[1], keep[0], keep[1], freed);
      }
    }
    return freed[0];
  }

  /** Bytes of the arena's pages in memory now, by {@code mincore} (tests). */
  long residentBytes() {
    return arena.residentBytes();
  }

  /** What holds the arena's pages, e.g. {@code memfd} or {@code huge_tmpfs}. */
  public String memoryBacking() {
    return arena.backing().label();
  }

  // ---------------------------------------------------------------- spilling

  /**
   * Spills the given cold blobs now (sealed, unreferenced, unpinned, in memory); others and missing
   * ids are skipped. Waits for transfers of these blobs already in flight; file I/O outside the
   * lock.
   *
   * @param ids blob ids
   * @throws CellarException {@code INVALID} without a spill path; {@code IO_ERROR} when a file
   *     cannot be written
   */
  public void evict(long[] ids) {
    spiller.evict(ids);
  }

  /**
   * Reloads spilled blobs into memory and optionally pins them, so that they never spill until
   * {@link #unpin}. Missing ids are skipped. File I/O outside the lock.
   *
   * @param ids blob ids
   * @param pin also pin them
   * @throws CellarException {@code NOT_ENOUGH_MEMORY} when a blob cannot be placed
   */
  public void load(long[] ids, boolean pin) {
    List<BlobEntry> wanted = new ArrayList<>(ids.length);
    synchronized (lock) {
      table.ensureOpen();
      for (long id : ids) {
        BlobEntry e = table.live(id);
        if (e != null) {
          if (pin) {
            e.pinned = true;
            spiller.notCold(e);
          }
          wanted.add(e);
        }
      }
    }
    for (BlobEntry e : wanted) {
      spiller.ensureResident(e);
    }
  }

  /**
   * Unpins blobs; a cold one becomes a spill candidate again. Missing ids are skipped.
   *
   * @param ids blob ids
   */
  public void unpin(long[] ids) {
    synchronized (lock) {
      table.ensureOpen();
      for (long id : ids) {
        BlobEntry e = table.live(id);
        if (e != null && e.pinned) {
          e.pinned = false;
          spiller.becameCold(e);
        }
      }
    }
  }

  // ---------------------------------------------------------------- queries

  /** Whether a blob exists (not deleted; spilled counts); the empty blob always does. */
  public boolean exists(long id) {
    return size(id) >= 0;
  }

  /** Whether a blob exists and is sealed; the empty blob is. */
  public boolean isSealed(long id) {
    synchronized (lock) {
      BlobEntry e = table.live(id);
      return id == ObjectIds.EMPTY_BLOB || (e != null && e.state != BlobState.UNSEALED);
    }
  }

  /**
   * Whether a blob is in use ({@code is_in_use}), as the reference answers: true for any id off its
   * cold list. So false only for a live sealed blob that no owner references, in memory or evicted;
   * true for referenced and unsealed blobs, deleted and unknown ids, the empty blob, and a blob
   * spilled to make room for an allocation (the reference takes those off its cold list) until it
   * is referenced and released again.
   *
   * @param id any id
   * @return whether it is in use
   */
  public boolean isInUse(long id) {
    synchronized (lock) {
      BlobEntry e = table.live(id);
      return e == null || e.state == BlobState.UNSEALED || e.refCount > 0 || e.spilledToMakeRoom;
    }
  }

  /** Whether a blob's bytes are on disk now (spilled, or being loaded back). */
  public boolean isSpilled(long id) {
    synchronized (lock) {
      BlobEntry e = table.live(id);
      return e != null && e.state.onDisk();
    }
  }

  /** A blob's length: 0 for the empty blob, -1 when it does not exist. */
  public long size(long id) {
    if (id == ObjectIds.EMPTY_BLOB) {
      return 0;
    }
    synchronized (lock) {
      BlobEntry e = table.live(id);
      return e == null ? -1 : e.size;
    }
  }

  /** All live blob ids (not the empty blob, not deleted ones), in no particular order. */
  public long[] ids() {
    synchronized (lock) {
      return table.liveIds();
    }
  }

  /**
   * A view of a blob's bytes for in-process use: writable while unsealed, read-only once sealed;
   * valid while the caller's owner references the blob (or, unsealed, while its creator lives).
   *
   * @param id the blob
   * @return the segment, exactly the blob's length, 64-byte aligned
   * @throws CellarException {@code OBJECT_NOT_EXISTS} (12); {@code OBJECT_SPILLED} (17) when it is
   *     on disk (take a reference or {@link #load} it first)
   */
  public MemorySegment segment(long id) {
    if (id == ObjectIds.EMPTY_BLOB) {
      return MemorySegment.NULL.asReadOnly();
    }
    synchronized (lock) {
      table.ensureOpen();
      BlobEntry e = table.liveOrThrow(id);
      if (!e.state.readable()) {
        throw new CellarException(
            StatusCode.OBJECT_SPILLED, "blob " + ObjectIds.toText(id) + " is spilled");
      }
      MemorySegment s = arena.slice(e.offset, e.size);
      return e.state == BlobState.UNSEALED ? s : s.asReadOnly();
    }
  }

  /**
   * The OS file descriptor behind an arena key ({@link Payload#storeFd()}).
   *
   * @param storeFd the key from a payload
   * @return the fd, open until the store is closed; never close it
   * @throws CellarException {@code INVALID} (1) for an unknown key
   */
  public int fileDescriptor(int storeFd) {
    if (storeFd != arena.fd()) {
      throw CellarException.invalid("unknown store fd " + storeFd);
    }
    return storeFd;
  }

  /** The arena's file length: the {@code map_size} of every payload. */
  public long mapSize() {
    return arena.mapSize();
  }

  /**
   * Bytes of blobs in memory (aligned block lengths, deleted but held ones too), at most the limit.
   */
  public long memoryUsage() {
    return arena.used();
  }

  /** The limit on {@link #memoryUsage()} ({@code --size}), in bytes. */
  public long memoryLimit() {
    return memoryLimit;
  }

  /** How many live blobs there are (spilled ones included, deleted ones not). */
  public long blobCount() {
    synchronized (lock) {
      return table.liveCount();
    }
  }

  /** How many blobs have their bytes on disk now (live, or deleted and still referenced). */
  public long spilledCount() {
    synchronized (lock) {
      return table.count(BlobState.SPILLED) + table.count(BlobState.LOADING);
    }
  }

  /** How many blobs an owner references. */
  public int referenceCount(long owner) {
    synchronized (lock) {
      return ledger.referenceCount(owner);
    }
  }

  // ---------------------------------------------------------------- close

  /** What is still held now (blobs referenced, blobs unsealed), for diagnostics; closes nothing. */
  public OutstandingBlobs outstanding() {
    synchronized (lock) {
      return ledger.outstanding();
    }
  }

  /**
   * Closes the store and reports what was still held: waits for spills and loads in flight, then
   * releases every blob whatever holds it, unmaps the arena, closes its fd and removes every spill
   * file. Later calls fail with AlreadyStopped. A second call reports nothing.
   *
   * @return what was outstanding at close (empty when every owner had released its blobs)
   */
  public OutstandingBlobs closeAndReport() {
    OutstandingBlobs report;
    if (idleTrimmer != null) {
      idleTrimmer.close();
    }
    synchronized (lock) {
      if (table.isClosed()) {
        return OutstandingBlobs.NONE;
      }
      table.close();
      spiller.awaitNoTransfers();
      report = ledger.outstanding();
      ledger.clear();
      table.forgetAll();
    }
    try {
      arena.close();
    } finally {
      spiller.close();
    }
    return report;
  }

  /**
   * Closes the store as {@link #closeAndReport()} does, then fails if anything was outstanding: a
   * leak check in the manner of Apache Arrow's allocator.
   *
   * @throws IllegalStateException listing the blobs still referenced (with their owners) and those
   *     still unsealed; everything is released all the same
   */
  @Override
  public void close() {
    OutstandingBlobs report = closeAndReport();
    if (!report.isEmpty()) {
      throw new IllegalStateException("blob store closed with blobs outstanding:\n" + report);
    }
  }

  /** Blobs created and not yet sealed (being written), over all owners: the prefiller asks. */
  private int unsealedCount() {
    synchronized (lock) {
      return table.count(BlobState.UNSEALED);
    }
  }
}
