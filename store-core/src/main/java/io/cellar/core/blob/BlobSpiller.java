package io.cellar.core.blob;

import io.cellar.core.alloc.BestFitAllocator;
import io.cellar.core.spill.ColdBlobLru;
import io.cellar.core.spill.SpillDirectory;
import io.cellar.core.spill.SpillFiles;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.StatusCode;
import java.util.ArrayList;
import java.util.List;
import org.agrona.collections.LongArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spill policy of a {@link BlobStore} and its file I/O: which blobs are cold (oldest first, a
 * {@link ColdBlobLru}), when to spill them (an allocation that fails, or usage at {@code upper}
 * bytes: then down to {@code lower}), writing them to a {@link SpillDirectory}, and reading them
 * back when they are wanted. It also places every new block ({@link #allocate}), since a placement
 * may have to spill first.
 *
 * <p><b>File I/O runs outside the store's lock.</b> A blob being written out is {@link
 * BlobState#SPILLING}: its block stays allocated and readable (the bytes of a sealed blob never
 * change), so gets, references and deletes of it go on meanwhile. When the write ends, the blob
 * gives up its block only if nobody referenced or pinned it in between; otherwise the new file is
 * removed and the blob stays in memory. A blob being read back is {@link BlobState#LOADING}: its
 * new block is not readable until the read ends, so another thread that needs it waits on the
 * store's monitor for the load to end (or, if the load failed, loads it itself). A deleted blob's
 * memory and file are never freed while a transfer is in flight; the transfer's end frees them.
 * Only the thread that owns a transfer touches that blob's spill file, so calls into the {@link
 * SpillFiles} (a {@link SpillDirectory}) for one id never overlap.
 *
 * <p><b>No deadlock.</b> A thread waits only for transfers it does not own, and while it waits it
 * owns no transfer that another waiter could be waiting for, except a load waiting for spills to
 * end: a spill never waits for anything.
 *
 * <p><b>Threading.</b> Methods documented "lock held" must be called under the store's lock; the
 * others must be called without it and take it themselves for each bookkeeping step.
 */
final class BlobSpiller {
  private static final Logger LOG = LoggerFactory.getLogger(BlobSpiller.class);
  private static final long NONE = Long.MIN_VALUE;

  /** What to do with newly placed blocks, under the store's lock; it owns the blocks then. */
  @FunctionalInterface
  interface Placed<T> {
    T run(long[] offsets);
  }

  /**
   * What a round of spills did.
   *
   * @param spilled how many blobs gave up their memory
   * @param failure the first write failure, or null
   */
  record Outcome(int spilled, CellarException failure) {}

  private final Object lock;
  private final BlobTable table;
  private final BlobArena arena;
  private final SpillFiles dir;
  private final long upper;
  private final long lower;
  private final ColdBlobLru cold = new ColdBlobLru();

  // guarded by lock
  private long spillingBytes;
  private int spills;
  private int transfers;

  BlobSpiller(
      Object lock, BlobTable table, BlobArena arena, SpillFiles dir, long upper, long lower) {
    this.lock = lock;
    this.table = table;
    this.arena = arena;
    this.dir = dir;
    this.upper = upper;
    this.lower = lower;
  }

  /** Whether the store has a spill path. */
  boolean enabled() {
    return dir != null;
  }

  // ---------------------------------------------------------------- cold list (lock held)

  /** Lock held: the blob may have become cold; list it if so (at the young end). */
  void becameCold(BlobEntry e) {
    if (dir != null && e.isCold()) {
      cold.add(e.id);
    }
  }

  /** Lock held: the blob is referenced, pinned, deleted or otherwise no spill candidate. */
  void notCold(BlobEntry e) {
    if (dir != null) {
      cold.remove(e.id);
    }
  }

  // ---------------------------------------------------------------- placing blocks (no lock)

  /**
   * Places one block per size, all or none, spilling cold blobs first when usage is at the upper
   * rate or the request does not fit, then runs {@code then} with the offsets in the same hold of
   * the lock. Spilling does its file I/O outside the lock; when other threads' spills are in flight
   * and nothing else can be spilled, it waits for them.
   *
   * @param sizes block sizes, each at least 1
   * @param then runs under the lock once placed; owns the blocks (frees them if it fails)
   * @return what {@code then} returns
   * @throws CellarException NotEnoughMemory (41) naming the size that does not fit; AlreadyStopped
   */
  <T> T allocate(long[] sizes, Placed<T> then) {
    long need = 0;
    for (long s : sizes) {
      need += BestFitAllocator.alignedSize(s);
    }
    boolean stuck = dir == null;
    while (true) {
      List<BlobEntry> victims;
      synchronized (lock) {
        table.ensureOpen();
        victims = stuck ? List.of() : victimsBefore(need);
        if (victims.isEmpty()) {
          long[] offsets = new long[sizes.length];
          int failed = arena.claimAll(sizes, offsets);
          if (failed < 0) {
            return then.run(offsets);
          }
          victims = stuck ? List.of() : oldestVictim();
          if (victims.isEmpty()) {
            if (dir != null && spills > 0) {
              awaitTransfer();
              continue;
            }
            throw arena.noRoomFor(sizes[failed]);
          }
        }
      }
      if (spill(victims, true).spilled() == 0) {
        stuck = true; // every write failed: do not keep choosing the same victims
      }
    }
  }

  /** Lock held: the victims the rates ask for before placing {@code need} more bytes. */
  private List<BlobEntry> victimsBefore(long need) {
    long projected = arena.used() - spillingBytes;
    if (projected < upper && projected + need <= arena.limit()) {
      return List.of();
    }
    List<BlobEntry> out = new ArrayList<>();
    while (projected > lower || projected + need > arena.limit()) {
      BlobEntry v = pollCold();
      if (v == null) {
        break;
      }
      startSpill(v);
      projected -= BestFitAllocator.alignedSize(v.size);
      out.add(v);
    }
    return out;
  }

  /** Lock held: one more victim, for a request that fits the rates but not the free blocks. */
  private List<BlobEntry> oldestVictim() {
    BlobEntry v = pollCold();
    if (v == null) {
      return List.of();
    }
    startSpill(v);
    return List.of(v);
  }

  private BlobEntry pollCold() {
    while (true) {
      long id = cold.pollOldest(NONE);
      if (id == NONE) {
        return null;
      }
      BlobEntry e = table.live(id);
      if (e != null && e.isCold()) {
        return e;
      }
    }
  }

  private void startSpill(BlobEntry e) {
    table.transition(e, BlobState.SPILLING);
    spillingBytes += BestFitAllocator.alignedSize(e.size);
    spills++;
    transfers++;
  }

  // ---------------------------------------------------------------- spilling (no lock)

  /**
   * Spills the given cold blobs now ({@code evict}): waits until none of them is in a transfer,
   * then writes those that are cold. Missing and non-cold ids are skipped.
   *
   * @param ids blob ids
   * @throws CellarException Invalid without a spill path; IOError when a file cannot be written
   */
  void evict(long[] ids) {
    List<BlobEntry> victims = new ArrayList<>();
    synchronized (lock) {
      table.ensureOpen();
      if (dir == null) {
        throw CellarException.invalid("spilling is disabled: no spill path");
      }
      while (anyInTransfer(ids)) {
        awaitTransfer();
      }
      for (long id : ids) {
        BlobEntry e = table.live(id);
        if (e != null && e.isCold()) {
          cold.remove(id);
          startSpill(e);
          victims.add(e);
        }
      }
    }
    Outcome outcome = spill(victims, false);
    if (outcome.failure() != null) {
      throw outcome.failure();
    }
  }

  private boolean anyInTransfer(long[] ids) {
    for (long id : ids) {
      BlobEntry e = table.live(id);
      if (e != null && e.state.inTransfer()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Writes blobs this thread marked {@link BlobState#SPILLING}, and ends those transfers; {@code
   * toMakeRoom} for the spills an allocation asked for (not {@code evict}).
   */
  private Outcome spill(List<BlobEntry> victims, boolean toMakeRoom) {
    int spilled = 0;
    CellarException failure = null;
    LongArrayList files = new LongArrayList();
    for (BlobEntry e : victims) {
      boolean written = false;
      try {
        dir.write(e.id, arena.slice(e.offset, e.size));
        written = true;
      } catch (CellarException ex) {
        LOG.warn("spilling blob {} failed, keeping it in memory: {}", ObjectIds.toText(e.id), ex);
        failure = failure == null ? ex : failure;
      }
      boolean wanted;
      synchronized (lock) {
        spillingBytes -= BestFitAllocator.alignedSize(e.size);
        spills--;
        wanted = e.refCount > 0 || e.pinned;
        if (written && !wanted) {
          arena.free(e.offset);
          e.offset = -1;
          table.transition(e, BlobState.SPILLED);
          e.spilledToMakeRoom = toMakeRoom;
          spilled++;
          endTransfer(e, files);
        } else if (!written) {
          table.transition(e, BlobState.SEALED);
          endTransfer(e, files);
        } else {
          lock.notifyAll(); // the block stays: waiters for memory need not wait for this one
        }
      }
      if (written && wanted) {
        dir.delete(e.id); // still SPILLING: no one else touches the file meanwhile
        synchronized (lock) {
          table.transition(e, BlobState.SEALED);
          endTransfer(e, files);
        }
      }
    }
    removeFiles(files);
    return new Outcome(spilled, failure);
  }

  // ---------------------------------------------------------------- loading (no lock)

  /**
   * Makes a blob readable: waits while another thread loads it (or spills it with nobody wanting
   * it), and loads it when it is on disk. Returns at once for a blob in memory or freed.
   *
   * @param e the blob; the caller normally holds a reference to it
   * @throws CellarException NotEnoughMemory when it cannot be placed, IOError when its file cannot
   *     be read (it stays spilled either way); AlreadyStopped
   */
  void ensureResident(BlobEntry e) {
    synchronized (lock) {
      while (true) {
        table.ensureOpen();
        boolean settling = e.state == BlobState.SPILLING && e.refCount == 0 && !e.pinned;
        if ((e.state.readable() && !settling) || e.state == BlobState.FREED) {
          return;
        }
        if (e.state == BlobState.SPILLED) {
          table.transition(e, BlobState.LOADING);
          transfers++;
          break;
        }
        awaitTransfer();
      }
    }
    LongArrayList files = new LongArrayList();
    long offset;
    try {
      offset = allocate(new long[] {Math.max(1, e.size)}, offsets -> offsets[0]);
    } catch (RuntimeException ex) {
      abortLoad(e, -1, files);
      throw ex;
    }
    try {
      dir.read(e.id, arena.slice(offset, e.size));
    } catch (RuntimeException ex) {
      abortLoad(e, offset, files);
      throw ex;
    }
    dir.delete(e.id); // still LOADING: no one else touches the file meanwhile
    synchronized (lock) {
      e.offset = offset;
      table.transition(e, BlobState.SEALED);
      endTransfer(e, files);
    }
    removeFiles(files);
  }

  private void abortLoad(BlobEntry e, long offset, LongArrayList files) {
    synchronized (lock) {
      if (offset >= 0) {
        arena.free(offset);
      }
      table.transition(e, BlobState.SPILLED);
      endTransfer(e, files);
    }
    removeFiles(files);
  }

  // ---------------------------------------------------------------- shared

  /** Lock held: a transfer ended; the blob may be cold again, or deleted and now free. */
  private void endTransfer(BlobEntry e, LongArrayList files) {
    transfers--;
    becameCold(e);
    table.reclaimIfUnheld(e, files);
    lock.notifyAll();
  }

  /** Lock held: waits for some transfer to end (the monitor is released meanwhile). */
  private void awaitTransfer() {
    try {
      lock.wait();
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new CellarException(
          StatusCode.IO_ERROR, "interrupted while a blob moves to or from disk");
    }
  }

  /** Lock held: waits, uninterruptibly, until no transfer is in flight (for close). */
  void awaitNoTransfers() {
    boolean interrupted = false;
    while (transfers > 0) {
      try {
        lock.wait();
      } catch (InterruptedException ex) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** No lock: removes the spill files of blobs freed while on disk. */
  void removeFiles(LongArrayList ids) {
    for (int i = 0; i < ids.size(); i++) {
      dir.delete(ids.getLong(i));
    }
  }

  /** Removes every spill file left (at close, after the last transfer). */
  void close() {
    if (dir != null) {
      dir.close();
    }
  }
}
