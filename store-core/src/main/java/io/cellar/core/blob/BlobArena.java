package io.cellar.core.blob;

import io.cellar.core.alloc.BestFitAllocator;
import io.cellar.core.config.StoreConfig;
import io.cellar.core.memory.ArenaBacking;
import io.cellar.core.memory.ArenaDescriptor;
import io.cellar.core.memory.ArenaPrefiller;
import io.cellar.core.memory.BackingPlan;
import io.cellar.core.memory.HostHeadroom;
import io.cellar.core.memory.HostMemoryFacts;
import io.cellar.core.memory.MemfdArena;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.Payload;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a store's blobs live: one {@link MemfdArena} laid out by {@link ArenaDescriptor} on the
 * backing the {@link BackingPlan} picks (logged once), the {@link BestFitAllocator} over its blob
 * range under the memory limit, and, with {@code prefillAhead}, the {@link ArenaPrefiller} that
 * keeps a bounded window of never-used memory ahead of the allocations filled with zeroed pages.
 * Nothing is faulted in when a block is handed out: the client that writes a blob faults its own
 * pages, once per process.
 *
 * <p><b>Trim.</b> {@link #beginTrim} and {@link #trimStep} give the pages of free ranges back to
 * the system, one chunk per call, so the store can call them under its lock (no block is handed out
 * while its range is being freed) without holding it long.
 *
 * <p><b>Threading.</b> Thread-safe (the allocator and the prefiller are); the store calls the
 * allocating, freeing and trimming methods under its lock, so that placing a block and recording
 * its blob are one step. {@link #claimAll} may wait for the prefiller's current step (at most 2 MiB
 * of writes).
 *
 * <p><b>Memory.</b> The arena, and every segment and payload pointing into it, is owned by this
 * object until {@link #close()}.
 */
final class BlobArena implements AutoCloseable {
  /** The most bytes one {@link #trimStep} gives back (a few milliseconds of the store's lock). */
  static final long TRIM_CHUNK = 32L << 20;

  private static final Logger LOG = LoggerFactory.getLogger(BlobArena.class);

  private final MemfdArena arena;
  private final BestFitAllocator allocator;
  private final ArenaPrefiller prefiller;
  private final long window;
  private final AtomicLong freedSinceTrim = new AtomicLong();
  private volatile long lastActivityNanos = System.nanoTime();

  // guarded by the store's lock
  private long highWater;

  /**
   * Creates and maps the arena; the prefiller, if any, is built but not started.
   *
   * @param config limit, {@code reserveMemory}, {@code hugepages}, {@code shmDir}, {@code
   *     prefillAhead}
   * @param writers how many blobs are being written now (the prefiller waits while there are)
   */
  BlobArena(StoreConfig config, IntSupplier writers) {
    long limit = config.memoryLimit();
    long length = ArenaDescriptor.requestedLength(limit);
    BackingPlan plan =
        BackingPlan.decide(length, config.hugepages(), HostMemoryFacts.probe(config.shmDir()));
    this.arena = MemfdArena.create("cellar-bulk", length, config.reserveMemory(), plan);
    LOG.info(
        "shared memory: {}, {} MiB{}; not chosen: {}; host: {}",
        arena.backing().label(),
        arena.size() >> 20,
        arena.backing().hugePages() ? " in 2 MiB pages" : "",
        plan.skipped().isEmpty() ? "none" : String.join("; ", plan.skipped()),
        plan.facts().describe());
    long start = ArenaDescriptor.blobsStart();
    long end = ArenaDescriptor.blobsEnd(arena.size());
    this.allocator = new BestFitAllocator(start, end, limit);
    this.highWater = start;
    long ahead = Math.min(config.prefillAhead(), limit);
    this.prefiller =
        ahead > 0 && !config.reserveMemory() && arena.backing().writable()
            ? new ArenaPrefiller(
                arena, start, end, ahead, ArenaPrefiller.QUIET, writers, HostHeadroom.ofHost())
            : null;
    this.window = prefiller == null ? 0 : ahead;
  }

  /** Starts the prefiller, once the owner is fully built (its thread calls {@code writers}). */
  void start() {
    if (prefiller != null) {
      prefiller.start();
    }
  }

  /** Records client activity: the prefiller keeps out of the way for a while. Lock-free. */
  void activity() {
    lastActivityNanos = System.nanoTime();
    if (prefiller != null) {
      prefiller.activity();
    }
  }

  /**
   * Places one block per size, all or none, and claims them from the prefiller.
   *
   * @param sizes block sizes, each at least 1
   * @param offsets receives the offsets
   * @return -1 when all were placed, else the index of the size that did not fit (nothing placed)
   */
  int claimAll(long[] sizes, long[] offsets) {
    lastActivityNanos = System.nanoTime();
    for (int i = 0; i < sizes.length; i++) {
      long offset = allocator.tryAllocate(sizes[i]);
      if (offset < 0) {
        for (int j = 0; j < i; j++) {
          allocator.free(offsets[j]);
        }
        return i;
      }
      offsets[i] = offset;
    }
    for (int i = 0; i < sizes.length; i++) {
      long blockEnd = offsets[i] + BestFitAllocator.alignedSize(sizes[i]);
      highWater = Math.max(highWater, blockEnd);
      if (prefiller != null) {
        prefiller.claim(offsets[i], blockEnd);
      }
    }
    return -1;
  }

  /** The NotEnoughMemory (41) failure for a size that does not fit now. */
  CellarException noRoomFor(long size) {
    return CellarException.notEnoughMemory(allocator.failureMessage(size));
  }

  void free(long offset) {
    freedSinceTrim.addAndGet(allocator.free(offset));
  }

  void shrink(long offset, long size) {
    allocator.shrink(offset, size);
  }

  // ---------------------------------------------------------------- trim

  /**
   * Starts a trim: the prefiller's window is handed back ({@link ArenaPrefiller#rewind}) and the
   * high-water mark drops to the top of the blocks in use. Store lock held.
   *
   * @param explicit a client asked ({@code memory_trim}): the window is given back too and not
   *     refilled before the next allocation; else (the idle trim) the window ahead of the new mark
   *     is kept and refilled
   * @param range receives where to trim: {@code range[0]} from, {@code range[1]} to; free ranges in
   *     between are given back by {@link #trimStep}
   * @param keep receives the start and end of the range to keep ({@code keep[0] == keep[1]} when
   *     none)
   */
  void beginTrim(boolean explicit, long[] range, long[] keep) {
    long top = Math.max(highWater, allocator.start());
    long mark = allocator.topOfUse();
    if (prefiller != null) {
      top = Math.max(top, prefiller.rewind(mark, explicit));
    }
    highWater = mark;
    freedSinceTrim.set(0);
    range[0] = allocator.start();
    range[1] = Math.min(top, allocator.end());
    keep[0] = mark;
    keep[1] = explicit ? mark : Math.min(mark + window, range[1]);
  }

  /**
   * Gives back the pages of (part of) the first free range at or after {@code cursor}, below {@code
   * top}, outside {@code [keepFrom, keepTo)}. Store lock held: the range is free now and stays free
   * while the lock is held.
   *
   * @param cursor where to look from
   * @param top where to stop
   * @param keepFrom the start of a range never trimmed
   * @param keepTo its end
   * @param freed receives the bytes given back in {@code freed[0]} (added)
   * @return where the next step starts; {@code >= top} when done
   */
  long trimStep(long cursor, long top, long keepFrom, long keepTo, long[] freed) {
    long[] block = new long[2];
    if (cursor >= top || !allocator.freeBlockFrom(cursor, block) || block[0] >= top) {
      return top;
    }
    long from = Math.max(cursor, block[0]);
    long to = Math.min(block[1], top);
    if (from >= keepFrom && from < keepTo) {
      return keepTo;
    }
    if (from < keepFrom && to > keepFrom) {
      to = keepFrom;
    }
    long granule = arena.pageGranule();
    if (to - from > TRIM_CHUNK) {
      to = (from + TRIM_CHUNK) & -granule;
    }
    // The pages that [from, to) only partly covers are freed too where the rest of them is free
    // as well: below, the head guard (no blob before the range's start); above the trim's top, the
    // free tail of the page the highest block ended in (that block's last write faulted it in;
    // with huge pages 2 MiB stayed behind per trim) and the tail guard. Nothing outside the free
    // block is touched, and never the kept range: the top is only reached outside it.
    long discardFrom = from == allocator.start() ? 0 : from;
    long discardTo = to;
    if (to == top) {
      long freeEnd = block[1] == allocator.end() ? arena.size() : block[1];
      discardTo = Math.min(freeEnd, (to + granule - 1) & -granule);
    }
    freed[0] += arena.discard(discardFrom, discardTo - discardFrom);
    return to;
  }

  /**
   * Bytes freed since the last trim: how much the idle trim would give back, at most.
   *
   * @return bytes
   */
  long freedSinceTrim() {
    return freedSinceTrim.get();
  }

  /**
   * The bytes of freed memory the idle trim keeps: the prefill window.
   *
   * @return bytes
   */
  long window() {
    return window;
  }

  /**
   * Nanoseconds since the last client activity (a claim, a read, a seal, a delete).
   *
   * @return nanoseconds
   */
  long idleNanos() {
    return System.nanoTime() - lastActivityNanos;
  }

  // ---------------------------------------------------------------- queries

  /** Bytes in use (aligned block lengths). */
  long used() {
    return allocator.allocatedBytes();
  }

  /** The limit on {@link #used()}. */
  long limit() {
    return allocator.limit();
  }

  /** Bytes of the arena's pages in memory now ({@code mincore}; tests and diagnostics). */
  long residentBytes() {
    return arena.residentPages(0, arena.size())
        * (arena.hugePages() ? MemfdArena.HUGE_PAGE_SIZE : io.cellar.posix.MemoryCalls.pageSize());
  }

  /** What holds the arena's pages. */
  ArenaBacking backing() {
    return arena.backing();
  }

  /** A blob's bytes: a writable slice of the mapping, valid until {@link #close()}. */
  MemorySegment slice(long offset, long size) {
    return arena.segment().asSlice(offset, size);
  }

  /** The payload of a blob in memory. */
  Payload payloadOf(BlobEntry e) {
    return new Payload(
        e.id,
        arena.fd(),
        e.offset,
        e.size,
        arena.size(),
        arena.address() + e.offset,
        e.state != BlobState.UNSEALED,
        true);
  }

  /** The arena's fd, open until {@link #close()}. */
  int fd() {
    return arena.fd();
  }

  /** The file length: every payload's {@code map_size}. */
  long mapSize() {
    return arena.size();
  }

  /** Stops the prefiller, then unmaps the arena and closes its fd. */
  @Override
  public void close() {
    try {
      if (prefiller != null) {
        prefiller.close();
      }
    } finally {
      arena.close();
    }
  }
}
