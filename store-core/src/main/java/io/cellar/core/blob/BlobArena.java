package io.cellar.core.blob;

import io.cellar.core.alloc.BestFitAllocator;
import io.cellar.core.config.StoreConfig;
import io.cellar.core.memory.ArenaDescriptor;
import io.cellar.core.memory.ArenaPrefiller;
import io.cellar.core.memory.MemfdArena;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.Payload;
import java.lang.foreign.MemorySegment;
import java.util.function.IntSupplier;

/**
 * Where a store's blobs live: one {@link MemfdArena} laid out by {@link ArenaDescriptor}, the
 * {@link BestFitAllocator} over its blob range under the memory limit, and, with {@code
 * prefillAhead}, the {@link ArenaPrefiller} that keeps never-used memory ahead of the allocations
 * filled with zeroed pages. Nothing is faulted in when a block is handed out: the client that
 * writes a blob faults its own pages, once per process.
 *
 * <p><b>Threading.</b> Thread-safe (the allocator and the prefiller are); the store calls the
 * allocating methods under its lock, so that placing a block and recording its blob are one step.
 * {@link #claimAll} may wait for the prefiller's current step (at most 2 MiB of writes).
 *
 * <p><b>Memory.</b> The arena, and every segment and payload pointing into it, is owned by this
 * object until {@link #close()}.
 */
final class BlobArena implements AutoCloseable {
  private final MemfdArena arena;
  private final BestFitAllocator allocator;
  private final ArenaPrefiller prefiller;

  /**
   * Creates and maps the arena; the prefiller, if any, is built but not started.
   *
   * @param config limit, {@code reserveMemory}, {@code hugepages}, {@code prefillAhead}
   * @param writers how many blobs are being written now (the prefiller waits while there are)
   */
  BlobArena(StoreConfig config, IntSupplier writers) {
    long limit = config.memoryLimit();
    this.arena =
        MemfdArena.create(
            "cellar-bulk",
            ArenaDescriptor.requestedLength(limit),
            config.reserveMemory(),
            config.hugepages());
    long start = ArenaDescriptor.blobsStart();
    long end = ArenaDescriptor.blobsEnd(arena.size());
    this.allocator = new BestFitAllocator(start, end, limit);
    long ahead = Math.min(config.prefillAhead(), limit);
    this.prefiller =
        ahead > 0 && !config.reserveMemory() && !arena.hugePages()
            ? new ArenaPrefiller(arena, start, end, ahead, writers)
            : null;
  }

  /** Starts the prefiller, once the owner is fully built (its thread calls {@code writers}). */
  void start() {
    if (prefiller != null) {
      prefiller.start();
    }
  }

  /** Records client activity: the prefiller keeps out of the way for a while. Lock-free. */
  void activity() {
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
    if (prefiller != null) {
      for (int i = 0; i < sizes.length; i++) {
        prefiller.claim(offsets[i], offsets[i] + BestFitAllocator.alignedSize(sizes[i]));
      }
    }
    return -1;
  }

  /** The NotEnoughMemory (41) failure for a size that does not fit now. */
  CellarException noRoomFor(long size) {
    return CellarException.notEnoughMemory(allocator.failureMessage(size));
  }

  void free(long offset) {
    allocator.free(offset);
  }

  void shrink(long offset, long size) {
    allocator.shrink(offset, size);
  }

  /** Bytes in use (aligned block lengths). */
  long used() {
    return allocator.allocatedBytes();
  }

  /** The limit on {@link #used()}. */
  long limit() {
    return allocator.limit();
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
