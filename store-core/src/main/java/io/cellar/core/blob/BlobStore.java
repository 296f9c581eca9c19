package io.cellar.core.blob;

import io.cellar.core.StoreConfig;
import io.cellar.core.alloc.BestFitAllocator;
import io.cellar.core.memory.ArenaPrefiller;
import io.cellar.core.memory.MemfdArena;
import io.cellar.core.spill.ColdBlobLru;
import io.cellar.core.spill.SpillDirectory;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.Payload;
import io.cellar.protocol.StatusCode;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.collections.LongHashSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blob table: blobs placed by a {@link BestFitAllocator} inside one {@link MemfdArena}, with
 * vineyardd's lifecycle (create unsealed, seal, per-owner references, release, delete) and spilling
 * of cold blobs to a {@link SpillDirectory}.
 *
 * <p><b>Arena.</b> The memfd file is longer than the limit (limit + limit/8 + a few pages, rounded
 * to 2 MiB; only virtual memory) so that fragmentation rarely fails a request under the limit.
 * Blobs live in {@code [64, fileLength - 64)}: 64-byte aligned and never in the file's last 8
 * bytes, which clients do not map. Nothing is faulted in on the reply path: the client that writes
 * a blob faults its own pages, once per process (reused memory it has mapped costs nothing). With
 * {@code prefillAhead}, an {@link ArenaPrefiller} keeps that much never-used memory filled with
 * zeroed pages in the background, which halves the cost of those first faults.
 *
 * <p><b>Owners and references.</b> An owner (a connection, an in-process user) holds at most one
 * reference per blob, taken by {@link #seal}, {@link #get} and {@link #addReference}. A blob's
 * creator holds its memory while it is unsealed; {@link #releaseOwner} reclaims the unsealed blobs
 * of an owner that goes away.
 *
 * <p><b>Deletion is safe.</b> {@link #drop} and {@link #delete} remove the id at once, but the
 * memory is reused only when no owner references the blob any more (and, for an unsealed blob, when
 * its creator is gone): a client that still maps it never sees its bytes change. The deleting
 * owner's own hold goes with the delete ({@link #delete(long, long[])}).
 *
 * <p><b>Spilling.</b> With a spill path, when an allocation fails or the bytes in use reach {@code
 * spillUpperRate × limit}, cold blobs (sealed, unreferenced, unpinned) are written to spill files,
 * the ones cold longest first, until usage is at most {@code spillLowerRate × limit} and the
 * request fits. A spilled blob comes back (bit-exact, perhaps at a new offset) on {@link #get},
 * {@link #addReference} or {@link #load}. Unsealed and pinned blobs never spill.
 *
 * <p><b>Threading.</b> Thread-safe. One lock guards the table; calls hold it for microseconds,
 * except those that spill or reload, which do the file I/O under it. An allocation next to the
 * prefiller's current step waits for that step (at most 2 MiB of writes).
 *
 * <p><b>Memory.</b> Payloads and segments point into the arena, which this store owns until {@link
 * #close()}. A blob's bytes stay put while any owner references it (or, unsealed, while its creator
 * lives).
 */
public final class BlobStore implements AutoCloseable {
  /** Bytes kept free at both ends of the arena file. */
  public static final long GUARD = 64;

  private static final Logger LOG = LoggerFactory.getLogger(BlobStore.class);
  private static final long NONE = Long.MIN_VALUE;

  /** An owner id no client has: {@link #delete(long, long[])} with it gives up no hold. */
  public static final long NO_OWNER = Long.MIN_VALUE;

  private static final int ID_ATTEMPTS = 1 << 16;

  private final StoreConfig config;
  private final LongSupplier blobIds;
  private final MemfdArena arena;
  private final BestFitAllocator allocator;
  private final ArenaPrefiller prefiller;
  private final SpillDirectory spill;
  private final long spillUpper;
  private final long spillLower;

  private final Object lock = new Object();
  private final Long2ObjectHashMap<BlobEntry> live = new Long2ObjectHashMap<>();
  private final Long2ObjectHashMap<BlobEntry> retired = new Long2ObjectHashMap<>();
  private final Long2ObjectHashMap<LongHashSet> refsByOwner = new Long2ObjectHashMap<>();
  private final Long2ObjectHashMap<LongHashSet> unsealedByCreator = new Long2ObjectHashMap<>();
  private final ColdBlobLru cold = new ColdBlobLru();
  private long spilledCount;
  private boolean closed;

  /**
   * Opens a blob store with its own blob id sequence (vineyardd's layout, instance 0, bit 63).
   *
   * @param config limit, {@code reserveMemory}, {@code hugepages}, spill path and rates
   * @throws CellarException when the arena cannot be created or the spill path is not writable
   */
  public BlobStore(StoreConfig config) {
    this(config, new BlobIdSequence());
  }

  /**
   * Opens a blob store.
   *
   * @param config limit, {@code reserveMemory}, {@code hugepages}, spill path and rates
   * @param blobIds where new blob ids come from (bit 63 is forced on; an id already in use, the
   *     empty blob's and 2^64-1 are skipped), e.g. {@code IdGenerator::nextBlobId}
   * @throws CellarException when the arena cannot be created or the spill path is not writable
   */
  public BlobStore(StoreConfig config, LongSupplier blobIds) {
    if (config.memoryLimit() < 0) {
      throw CellarException.invalid("negative memory limit: " + config.memoryLimit());
    }
    this.config = config;
    this.blobIds = blobIds;
    SpillDirectory dir =
        config.spillPath() == null ? null : SpillDirectory.open(config.spillPath());
    long limit = config.memoryLimit();
    long fileLength = limit + limit / 8 + (16L << 10) + 2 * GUARD;
    this.arena =
        MemfdArena.create("cellar-bulk", fileLength, config.reserveMemory(), config.hugepages());
    this.allocator = new BestFitAllocator(GUARD, arena.size() - GUARD, limit);
    long ahead = Math.min(config.prefillAhead(), limit);
    this.prefiller =
        ahead > 0 && !config.reserveMemory() && !arena.hugePages()
            ? new ArenaPrefiller(arena, GUARD, arena.size() - GUARD, ahead, this::unsealedCount)
            : null;
    this.spill = dir;
    this.spillUpper = (long) (limit * config.spillUpperRate());
    this.spillLower = (long) (limit * config.spillLowerRate());
    if (prefiller != null) {
      prefiller.start(); // last: its thread calls unsealedCount on this store
    }
  }

  // ---------------------------------------------------------------- create

  /**
   * Creates an unsealed, writable blob. The creator holds no reference, but holds the memory until
   * it seals, or until {@link #releaseOwner} reclaims it. No page is touched: the cost does not
   * depend on the size.
   *
   * @param owner the creating owner
   * @param size bytes, 0 for {@link Payload#EMPTY}
   * @return where the blob lives
   * @throws CellarException {@code NOT_ENOUGH_MEMORY} (41) "Failed to allocate memory of size N"
   *     when the limit is hit and nothing can be spilled; {@code INVALID} for a negative size
   */
  public Payload create(long owner, long size) {
    if (size == 0) {
      return Payload.EMPTY;
    }
    List<Payload> one = createMany(owner, new long[] {size});
    return one.get(0);
  }

  /**
   * Creates several unsealed blobs: all or none.
   *
   * @param owner the creating owner
   * @param sizes bytes per blob; a 0 gives {@link Payload#EMPTY}
   * @return one payload per size, in order
   * @throws CellarException as {@link #create}; when one fails none is created
   */
  public List<Payload> createMany(long owner, long[] sizes) {
    List<Payload> out = new ArrayList<>(sizes.length);
    synchronized (lock) {
      ensureOpen();
      for (long size : sizes) {
        if (size < 0) {
          throw CellarException.invalid("negative blob size: " + size);
        }
      }
      List<BlobEntry> made = new ArrayList<>(sizes.length);
      try {
        for (long size : sizes) {
          if (size == 0) {
            out.add(Payload.EMPTY);
            continue;
          }
          long id = newIdLocked();
          long offset = allocateLocked(size);
          BlobEntry e = new BlobEntry(id, owner, size, offset);
          live.put(e.id, e);
          unsealedByCreator.computeIfAbsent(owner, k -> new LongHashSet()).add(e.id);
          made.add(e);
          out.add(payloadOf(e));
        }
      } catch (RuntimeException ex) {
        for (BlobEntry e : made) {
          live.remove(e.id);
          unsealedOf(owner).remove(e.id);
          allocator.free(e.offset);
        }
        throw ex;
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- seal, references

  /**
   * Seals a blob: it becomes immutable and readable, and {@code owner} takes a reference.
   *
   * @param owner the sealing owner
   * @param id the blob
   * @throws CellarException {@code OBJECT_NOT_EXISTS} (12), {@code OBJECT_SEALED} (13)
   */
  public void seal(long owner, long id) {
    if (prefiller != null) {
      prefiller.activity();
    }
    if (id == ObjectIds.EMPTY_BLOB) {
      return;
    }
    synchronized (lock) {
      ensureOpen();
      BlobEntry e = liveOrThrow(id);
      if (e.sealed) {
        throw new CellarException(
            StatusCode.OBJECT_SEALED, "blob " + ObjectIds.toText(id) + " is already sealed");
      }
      e.sealed = true;
      unsealedOf(e.creator).remove(id);
      addReferenceLocked(owner, e);
    }
  }

  /**
   * Gets blobs for reading and gives {@code owner} a reference to each. Missing ids are skipped,
   * the empty blob gives {@link Payload#EMPTY}, spilled blobs are reloaded first (file I/O under
   * the lock).
   *
   * @param owner the reading owner
   * @param ids blob ids
   * @param unsafe also return unsealed blobs
   * @return payloads of the blobs found, in request order
   * @throws CellarException {@code OBJECT_NOT_SEALED} (14) for an unsealed blob unless {@code
   *     unsafe} (checked before any reference is taken; with {@code unsafe} unsealed blobs are
   *     referenced like sealed ones); {@code NOT_ENOUGH_MEMORY} when a reload cannot be placed (the
   *     references are kept, the blob stays spilled)
   */
  public List<Payload> get(long owner, long[] ids, boolean unsafe) {
    if (prefiller != null) {
      prefiller.activity();
    }
    List<Payload> out = new ArrayList<>(ids.length);
    synchronized (lock) {
      ensureOpen();
      List<BlobEntry> found = new ArrayList<>(ids.length);
      for (long id : ids) {
        if (id == ObjectIds.EMPTY_BLOB) {
          continue;
        }
        BlobEntry e = live.get(id);
        if (e != null && !e.sealed && !unsafe) {
          throw new CellarException(
              StatusCode.OBJECT_NOT_SEALED, "blob " + ObjectIds.toText(id) + " is not sealed");
        }
      }
      for (long id : ids) {
        BlobEntry e = live.get(id);
        if (e != null) {
          addReferenceLocked(owner, e);
          found.add(e);
        }
      }
      for (BlobEntry e : found) {
        if (e.spilled) {
          reloadLocked(e);
        }
      }
      for (long id : ids) {
        if (id == ObjectIds.EMPTY_BLOB) {
          out.add(Payload.EMPTY);
        } else {
          BlobEntry e = live.get(id);
          if (e != null) {
            out.add(payloadOf(e));
          }
        }
      }
    }
    return out;
  }

  /**
   * Gives {@code owner} a reference to a blob (at most one per owner), reloading it if spilled. The
   * empty blob is accepted and ignored.
   *
   * @param owner the owner
   * @param id the blob
   * @throws CellarException {@code OBJECT_NOT_EXISTS} (12) when the blob does not exist
   */
  public void addReference(long owner, long id) {
    if (id == ObjectIds.EMPTY_BLOB) {
      return;
    }
    synchronized (lock) {
      ensureOpen();
      BlobEntry e = liveOrThrow(id);
      addReferenceLocked(owner, e);
      if (e.spilled) {
        reloadLocked(e);
      }
    }
  }

  /**
   * Drops {@code owner}'s reference to a blob. When the last reference goes, a deleted blob's
   * memory is freed and a live sealed one becomes cold (a spill candidate). The empty blob is
   * accepted and ignored.
   *
   * @param owner the owner
   * @param id the blob, live or already deleted
   * @throws CellarException {@code INVALID} (1) when the owner holds no reference to it
   */
  public void release(long owner, long id) {
    if (id == ObjectIds.EMPTY_BLOB) {
      return;
    }
    synchronized (lock) {
      ensureOpen();
      LongHashSet refs = refsByOwner.get(owner);
      if (refs == null || !refs.remove(id)) {
        throw CellarException.invalid(
            "owner " + owner + " holds no reference to blob " + ObjectIds.toText(id));
      }
      if (refs.isEmpty()) {
        refsByOwner.remove(owner);
      }
      dropReferenceLocked(entryOf(id));
    }
  }

  /**
   * Ends an owner: drops every reference it holds and reclaims the blobs it created and never
   * sealed (their memory is freed at once unless another owner took an unsafe reference).
   * Idempotent.
   *
   * @param owner the owner
   */
  public void releaseOwner(long owner) {
    synchronized (lock) {
      ensureOpen();
      LongHashSet refs = refsByOwner.remove(owner);
      if (refs != null) {
        for (LongHashSet.LongIterator it = refs.iterator(); it.hasNext(); ) {
          dropReferenceLocked(entryOf(it.nextValue()));
        }
      }
      LongHashSet unsealed = unsealedByCreator.remove(owner);
      if (unsealed != null) {
        for (LongHashSet.LongIterator it = unsealed.iterator(); it.hasNext(); ) {
          long id = it.nextValue();
          BlobEntry e = live.remove(id);
          if (e != null) {
            e.deleted = true;
            retired.put(id, e);
          } else {
            e = retired.get(id);
          }
          if (e != null) {
            releaseIfUnheld(e);
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- delete, shrink

  /**
   * Removes a blob ({@code drop_buffer}). The id is gone at once; the memory is reused once no
   * owner references the blob.
   *
   * @param id the blob
   * @throws CellarException {@code OBJECT_NOT_EXISTS} (12)
   */
  public void drop(long id) {
    synchronized (lock) {
      ensureOpen();
      BlobEntry e = live.remove(id);
      if (e == null) {
        throw notExists(id);
      }
      deleteLocked(e);
    }
  }

  /**
   * Removes blobs; missing ids (and the empty blob) are ignored. Memory as in {@link #drop}.
   *
   * @param ids blob ids
   * @return the ids that were removed, in request order
   */
  public long[] delete(long[] ids) {
    return delete(NO_OWNER, ids);
  }

  /**
   * Removes blobs on behalf of an owner, which gives up its own hold on them first: its reference
   * goes, and so does its creator's hold on a blob it never sealed. Other owners' references still
   * keep the memory until they go. This is what lets a client that puts and deletes in a loop (the
   * Python client never releases what it sealed) reuse the same memory every time, pages it has
   * mapped already, instead of holding every deleted blob until it disconnects. Missing ids (and
   * the empty blob) are ignored.
   *
   * @param owner the deleting owner, or {@link #NO_OWNER}
   * @param ids blob ids
   * @return the ids that were removed, in request order
   */
  public long[] delete(long owner, long[] ids) {
    if (prefiller != null) {
      prefiller.activity();
    }
    LongArrayList deleted = new LongArrayList();
    synchronized (lock) {
      ensureOpen();
      LongHashSet refs = refsByOwner.get(owner);
      for (long id : ids) {
        BlobEntry e = live.remove(id);
        if (e == null) {
          continue;
        }
        if (refs != null && refs.remove(id)) {
          e.refCount--;
        }
        if (!e.sealed && e.creator == owner) {
          unsealedOf(owner).remove(id);
        }
        deleteLocked(e);
        deleted.addLong(id);
      }
      if (refs != null && refs.isEmpty()) {
        refsByOwner.remove(owner);
      }
    }
    return deleted.toLongArray();
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
      ensureOpen();
      BlobEntry e = liveOrThrow(id);
      if (e.sealed) {
        throw CellarException.invalid(
            "cannot shrink sealed blob " + ObjectIds.toText(id) + " to " + size);
      }
      if (size < 0 || size > e.size) {
        throw CellarException.invalid(
            "cannot shrink blob " + ObjectIds.toText(id) + " of " + e.size + " bytes to " + size);
      }
      allocator.shrink(e.offset, size);
      e.size = size;
    }
  }

  // ---------------------------------------------------------------- queries

  /**
   * Whether a blob exists (not deleted; spilled counts). The empty blob always exists.
   *
   * @param id the blob
   * @return true when it exists
   */
  public boolean exists(long id) {
    if (id == ObjectIds.EMPTY_BLOB) {
      return true;
    }
    synchronized (lock) {
      return live.containsKey(id);
    }
  }

  /**
   * Whether a blob is sealed.
   *
   * @param id the blob
   * @return true when it exists and is sealed (the empty blob is)
   */
  public boolean isSealed(long id) {
    if (id == ObjectIds.EMPTY_BLOB) {
      return true;
    }
    synchronized (lock) {
      BlobEntry e = live.get(id);
      return e != null && e.sealed;
    }
  }

  /**
   * A blob's length.
   *
   * @param id the blob
   * @return bytes, or -1 when it does not exist
   */
  public long size(long id) {
    if (id == ObjectIds.EMPTY_BLOB) {
      return 0;
    }
    synchronized (lock) {
      BlobEntry e = live.get(id);
      return e == null ? -1 : e.size;
    }
  }

  /**
   * All blob ids (not the empty blob, not deleted ones).
   *
   * @return a new array, in no particular order
   */
  public long[] ids() {
    synchronized (lock) {
      long[] out = new long[live.size()];
      int i = 0;
      for (Long2ObjectHashMap<BlobEntry>.KeyIterator it = live.keySet().iterator();
          it.hasNext(); ) {
        out[i++] = it.nextLong();
      }
      return out;
    }
  }

  /**
   * A view of a blob's bytes for in-process use: writable while unsealed, read-only once sealed.
   * Valid while the caller's owner references the blob (or, unsealed, while its creator lives) and
   * the store is open.
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
      ensureOpen();
      BlobEntry e = liveOrThrow(id);
      if (e.spilled) {
        throw new CellarException(
            StatusCode.OBJECT_SPILLED, "blob " + ObjectIds.toText(id) + " is spilled");
      }
      MemorySegment s = arena.segment().asSlice(e.offset, e.size);
      return e.sealed ? s.asReadOnly() : s;
    }
  }

  /**
   * The OS file descriptor behind an arena key ({@link Payload#storeFd()}).
   *
   * @param storeFd the key from a payload
   * @return the fd, open until {@link #close()}; never close it
   * @throws CellarException {@code INVALID} (1) for an unknown key
   */
  public int fileDescriptor(int storeFd) {
    if (storeFd != arena.fd()) {
      throw CellarException.invalid("unknown store fd " + storeFd);
    }
    return arena.fd();
  }

  /**
   * The arena's file length, the {@code map_size} of every payload.
   *
   * @return bytes
   */
  public long mapSize() {
    return arena.size();
  }

  /**
   * Bytes of blobs in memory (aligned block lengths, excluding spilled and freed blobs, including
   * deleted ones still referenced).
   *
   * @return bytes, at most {@link #memoryLimit()}
   */
  public long memoryUsage() {
    return allocator.allocatedBytes();
  }

  /**
   * The limit on {@link #memoryUsage()}.
   *
   * @return bytes ({@code --size})
   */
  public long memoryLimit() {
    return config.memoryLimit();
  }

  /**
   * Live blobs (spilled ones included, deleted ones not).
   *
   * @return the count
   */
  public long blobCount() {
    synchronized (lock) {
      return live.size();
    }
  }

  /**
   * Blobs now in spill files.
   *
   * @return the count
   */
  public long spilledCount() {
    synchronized (lock) {
      return spilledCount;
    }
  }

  /**
   * References held by an owner.
   *
   * @param owner the owner
   * @return the number of blobs it references
   */
  public int referenceCount(long owner) {
    synchronized (lock) {
      LongHashSet refs = refsByOwner.get(owner);
      return refs == null ? 0 : refs.size();
    }
  }

  // ---------------------------------------------------------------- spilling

  /**
   * Whether a blob is in a spill file now.
   *
   * @param id the blob
   * @return true when spilled
   */
  public boolean isSpilled(long id) {
    synchronized (lock) {
      BlobEntry e = live.get(id);
      return e != null && e.spilled;
    }
  }

  /**
   * Spills the given blobs now, those that are cold (sealed, unreferenced, unpinned, in memory);
   * others and missing ids are skipped. File I/O under the lock.
   *
   * @param ids blob ids
   * @throws CellarException {@code INVALID} when the store has no spill path; {@code IO_ERROR} when
   *     a file cannot be written
   */
  public void evict(long[] ids) {
    synchronized (lock) {
      ensureOpen();
      if (spill == null) {
        throw CellarException.invalid("spilling is disabled: no spill path");
      }
      for (long id : ids) {
        BlobEntry e = live.get(id);
        if (e != null && e.isCold()) {
          spillLocked(e);
        }
      }
    }
  }

  /**
   * Reloads spilled blobs into memory and optionally pins them, so they never spill until {@link
   * #unpin}. Missing ids are skipped. File I/O under the lock.
   *
   * @param ids blob ids
   * @param pin also pin them
   * @throws CellarException {@code NOT_ENOUGH_MEMORY} when a blob cannot be placed
   */
  public void load(long[] ids, boolean pin) {
    synchronized (lock) {
      ensureOpen();
      for (long id : ids) {
        BlobEntry e = live.get(id);
        if (e == null) {
          continue;
        }
        if (pin) {
          e.pinned = true;
          if (spill != null) {
            cold.remove(id);
          }
        }
        if (e.spilled) {
          reloadLocked(e);
          if (e.isCold() && spill != null) {
            cold.add(id);
          }
        }
      }
    }
  }

  /**
   * Unpins blobs; a cold one becomes a spill candidate again. Missing ids are skipped.
   *
   * @param ids blob ids
   */
  public void unpin(long[] ids) {
    synchronized (lock) {
      ensureOpen();
      for (long id : ids) {
        BlobEntry e = live.get(id);
        if (e != null && e.pinned) {
          e.pinned = false;
          if (e.isCold() && spill != null) {
            cold.add(id);
          }
        }
      }
    }
  }

  /** Unmaps the arena, closes its fd and removes every spill file. Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      live.clear();
      retired.clear();
      refsByOwner.clear();
      unsealedByCreator.clear();
    }
    try {
      if (prefiller != null) {
        prefiller.close();
      }
      arena.close();
    } finally {
      if (spill != null) {
        spill.close();
      }
    }
  }

  /** Blobs created and not yet sealed (being written), over all owners. */
  private int unsealedCount() {
    synchronized (lock) {
      int n = 0;
      for (LongHashSet s : unsealedByCreator.values()) {
        n += s.size();
      }
      return n;
    }
  }

  // ---------------------------------------------------------------- internals (lock held)

  private long allocateLocked(long size) {
    if (spill != null) {
      long need = BestFitAllocator.alignedSize(size);
      long used = allocator.allocatedBytes();
      if (used >= spillUpper || used + need > allocator.limit()) {
        spillDownLocked(need);
      }
    }
    long offset = allocator.tryAllocate(size);
    while (offset < 0 && spill != null) {
      long victim = cold.pollOldest(NONE);
      if (victim == NONE) {
        break;
      }
      if (!trySpillLocked(live.get(victim))) {
        break;
      }
      offset = allocator.tryAllocate(size);
    }
    if (offset < 0) {
      throw CellarException.notEnoughMemory(allocator.failureMessage(size));
    }
    if (prefiller != null) {
      prefiller.claim(offset, offset + BestFitAllocator.alignedSize(size));
    }
    return offset;
  }

  private void spillDownLocked(long need) {
    while (allocator.allocatedBytes() > spillLower
        || allocator.allocatedBytes() + need > allocator.limit()) {
      long victim = cold.pollOldest(NONE);
      if (victim == NONE || !trySpillLocked(live.get(victim))) {
        return;
      }
    }
  }

  private boolean trySpillLocked(BlobEntry e) {
    try {
      spillLocked(e);
      return true;
    } catch (CellarException ex) {
      LOG.warn("spilling blob {} failed, keeping it in memory: {}", ObjectIds.toText(e.id), ex);
      cold.add(e.id);
      return false;
    }
  }

  private void spillLocked(BlobEntry e) {
    spill.write(e.id, arena.segment().asSlice(e.offset, e.size));
    cold.remove(e.id);
    allocator.free(e.offset);
    e.offset = -1;
    e.spilled = true;
    spilledCount++;
  }

  private void reloadLocked(BlobEntry e) {
    long offset = allocateLocked(Math.max(1, e.size));
    try {
      spill.read(e.id, arena.segment().asSlice(offset, e.size));
    } catch (RuntimeException ex) {
      allocator.free(offset);
      throw ex;
    }
    spill.delete(e.id);
    e.offset = offset;
    e.spilled = false;
    spilledCount--;
  }

  private void addReferenceLocked(long owner, BlobEntry e) {
    if (refsByOwner.computeIfAbsent(owner, k -> new LongHashSet()).add(e.id)) {
      e.refCount++;
      if (e.refCount == 1 && spill != null) {
        cold.remove(e.id);
      }
    }
  }

  private void dropReferenceLocked(BlobEntry e) {
    if (e == null) {
      return;
    }
    e.refCount--;
    if (e.refCount > 0) {
      return;
    }
    if (e.deleted) {
      releaseIfUnheld(e);
    } else if (e.isCold() && spill != null) {
      cold.add(e.id);
    }
  }

  private void deleteLocked(BlobEntry e) {
    e.deleted = true;
    if (spill != null) {
      cold.remove(e.id);
    }
    retired.put(e.id, e);
    releaseIfUnheld(e);
  }

  /** Frees a deleted blob's memory or spill file once nobody holds it. */
  private void releaseIfUnheld(BlobEntry e) {
    if (e.refCount > 0 || (!e.sealed && unsealedOf(e.creator).contains(e.id))) {
      return;
    }
    retired.remove(e.id);
    if (e.spilled) {
      spill.delete(e.id);
      e.spilled = false;
      spilledCount--;
    } else if (e.offset >= 0) {
      allocator.free(e.offset);
    }
    e.offset = -1;
  }

  private LongHashSet unsealedOf(long owner) {
    LongHashSet s = unsealedByCreator.get(owner);
    return s == null ? EMPTY_SET : s;
  }

  private static final LongHashSet EMPTY_SET = new LongHashSet();

  private BlobEntry entryOf(long id) {
    BlobEntry e = live.get(id);
    return e != null ? e : retired.get(id);
  }

  private BlobEntry liveOrThrow(long id) {
    BlobEntry e = live.get(id);
    if (e == null) {
      throw notExists(id);
    }
    return e;
  }

  private static CellarException notExists(long id) {
    return CellarException.notExists("blob " + ObjectIds.toText(id) + " does not exist");
  }

  private long newIdLocked() {
    for (int i = 0; i < ID_ATTEMPTS; i++) {
      long id = blobIds.getAsLong() | ObjectIds.BLOB_BIT;
      if (id != ObjectIds.EMPTY_BLOB
          && id != ObjectIds.INVALID
          && !live.containsKey(id)
          && !retired.containsKey(id)) {
        return id;
      }
    }
    throw new CellarException(
        StatusCode.ASSERTION_FAILED, "the blob id source keeps giving ids already in use");
  }

  private Payload payloadOf(BlobEntry e) {
    return new Payload(
        e.id,
        arena.fd(),
        e.offset,
        e.size,
        arena.size(),
        arena.address() + e.offset,
        e.sealed,
        true);
  }

  private void ensureOpen() {
    if (closed) {
      throw new CellarException(StatusCode.ALREADY_STOPPED, "the blob store is closed");
    }
  }

  /** Blob ids in vineyardd's layout: ms << 22 | instance 0 << 12 | 12-bit sequence, bit 63 set. */
  private static final class BlobIdSequence implements LongSupplier {
    private final AtomicLong sequence = new AtomicLong();

    @Override
    public long getAsLong() {
      long ms = System.currentTimeMillis() & 0x1FFFFFFFFFFL;
      return ObjectIds.BLOB_BIT | (ms << 22) | (sequence.getAndIncrement() & 0xFFF);
    }
  }
}
