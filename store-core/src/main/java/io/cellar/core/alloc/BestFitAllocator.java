package io.cellar.core.alloc;

import io.cellar.protocol.CellarException;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.agrona.collections.Long2LongHashMap;

/**
 * Places blocks inside the offset range {@code [start, end)} of an arena: best fit (the smallest
 * free block that is large enough, the lowest such), split from its low end, with free neighbours
 * coalesced on every free. Memory freed once is therefore handed out again before untouched memory
 * further up, which matters because freed pages are already faulted in.
 *
 * <p>Every block's offset and length are multiples of {@link #ALIGNMENT} (64 bytes), given a
 * 64-byte aligned {@code start}. A hard {@link #limit()} bounds the bytes in use independently of
 * the range, so the range may be made larger than the limit to absorb fragmentation.
 *
 * <p>Cost: O(log n) per call in the number of free blocks (two ordered indexes: by (size, offset)
 * for best fit, by offset for coalescing) plus a hash lookup of the allocated block.
 *
 * <p><b>Threading.</b> Thread-safe: every method holds this object's monitor for its whole (short)
 * duration, so calls are linearizable and the counters are exact at every moment. The allocator
 * only hands out numbers; it never touches the memory they designate.
 */
public final class BestFitAllocator {
  /** Alignment of every block's offset and length, in bytes. */
  public static final long ALIGNMENT = 64;

  private final long start;
  private final long end;
  private final long limit;

  /** Free blocks ordered by size then offset: ceiling() is the best fit. */
  private final NavigableSet<FreeBlock> bySize = new TreeSet<>();

  /** Free blocks by offset, to find the neighbours of a freed block. */
  private final TreeMap<Long, Long> byOffset = new TreeMap<>();

  /** Allocated blocks: offset to aligned length. */
  private final Long2LongHashMap allocated = new Long2LongHashMap(-1L);

  private long allocatedBytes;

  /**
   * An allocator over {@code [start, end)}.
   *
   * @param start first usable offset, a multiple of 64
   * @param end end of the usable range (exclusive); rounded down to a multiple of 64
   * @param limit the most bytes (aligned block lengths) in use at once
   * @throws IllegalArgumentException on a misaligned start, an empty range or a negative limit
   */
  public BestFitAllocator(long start, long end, long limit) {
    if (start < 0 || (start & (ALIGNMENT - 1)) != 0) {
      throw new IllegalArgumentException("start must be a non-negative multiple of 64: " + start);
    }
    long alignedEnd = end & -ALIGNMENT;
    if (alignedEnd <= start) {
      throw new IllegalArgumentException("empty range [" + start + ", " + end + ")");
    }
    if (limit < 0) {
      throw new IllegalArgumentException("negative limit: " + limit);
    }
    this.start = start;
    this.end = alignedEnd;
    this.limit = limit;
    insertFree(start, alignedEnd - start);
  }

  /**
   * The block length that a request of {@code size} bytes takes: rounded up to 64, at least 64.
   *
   * @param size requested bytes
   * @return the aligned length
   */
  public static long alignedSize(long size) {
    return Math.max(ALIGNMENT, (size + ALIGNMENT - 1) & -ALIGNMENT);
  }

  /**
   * Allocates a block.
   *
   * @param size bytes wanted, at least 1
   * @return the block's offset, a multiple of 64; the block spans {@link #alignedSize(long)} bytes
   * @throws CellarException {@code NOT_ENOUGH_MEMORY} (41) when the limit would be passed or no
   *     free block is large enough
   */
  public synchronized long allocate(long size) {
    long offset = tryAllocate(size);
    if (offset < 0) {
      throw CellarException.notEnoughMemory(failureMessage(size));
    }
    return offset;
  }

  /**
   * Allocates a block, or answers -1 instead of throwing.
   *
   * @param size bytes wanted, at least 1
   * @return the block's offset (a multiple of 64), or -1 when it cannot be met now
   */
  public synchronized long tryAllocate(long size) {
    if (size <= 0) {
      throw new IllegalArgumentException("allocation size must be positive: " + size);
    }
    if (size > limit) {
      return -1;
    }
    long need = alignedSize(size);
    if (need > limit - allocatedBytes) {
      return -1;
    }
    FreeBlock best = bySize.ceiling(new FreeBlock(need, Long.MIN_VALUE));
    if (best == null) {
      return -1;
    }
    removeFree(best);
    if (best.size > need) {
      insertFree(best.offset + need, best.size - need);
    }
    allocated.put(best.offset, need);
    allocatedBytes += need;
    return best.offset;
  }

  /**
   * Why an allocation of {@code size} fails now, in vineyardd's words plus the numbers.
   *
   * @param size the request
   * @return for example {@code "Failed to allocate memory of size 4096: 1024 of 2048 bytes in use,
   *     1024 free, the largest block that fits 1024"}; the last figure never exceeds the free bytes
   *     (the range is larger than the limit, so a free block of the range may be larger than what
   *     the limit lets one allocate)
   */
  public synchronized String failureMessage(long size) {
    long free = Math.max(0, limit - allocatedBytes);
    return "Failed to allocate memory of size "
        + size
        + ": "
        + allocatedBytes
        + " of "
        + limit
        + " bytes in use, "
        + free
        + " free, the largest block that fits "
        + largestAllocatable();
  }

  /**
   * The largest request that would succeed now: the largest free block of the range, capped by what
   * the limit leaves (rounded down to the alignment).
   *
   * @return bytes, 0 when nothing fits
   */
  public synchronized long largestAllocatable() {
    long free = Math.max(0, limit - allocatedBytes) & -ALIGNMENT;
    return Math.min(largestFreeBlock(), free);
  }

  /**
   * Frees a block.
   *
   * @param offset an offset returned by {@link #allocate(long)} and not freed since
   * @return the aligned length that was freed
   * @throws IllegalArgumentException when no block starts at {@code offset}
   */
  public synchronized long free(long offset) {
    long size = allocated.remove(offset);
    if (size < 0) {
      throw new IllegalArgumentException("no allocated block at offset " + offset);
    }
    allocatedBytes -= size;
    long blockStart = offset;
    long blockSize = size;
    Map.Entry<Long, Long> prev = byOffset.floorEntry(offset);
    if (prev != null && prev.getKey() + prev.getValue() == offset) {
      removeFree(new FreeBlock(prev.getValue(), prev.getKey()));
      blockStart = prev.getKey();
      blockSize += prev.getValue();
    }
    Long nextSize = byOffset.get(offset + size);
    if (nextSize != null) {
      removeFree(new FreeBlock(nextSize, offset + size));
      blockSize += nextSize;
    }
    insertFree(blockStart, blockSize);
    return size;
  }

  /**
   * Shrinks an allocated block in place, freeing its tail.
   *
   * @param offset the block
   * @param newSize the new length wanted (0 keeps the minimum 64-byte block)
   * @return the block's new aligned length
   * @throws IllegalArgumentException when no block starts there or {@code newSize} exceeds it
   */
  public synchronized long shrink(long offset, long newSize) {
    long size = allocated.get(offset);
    if (size < 0) {
      throw new IllegalArgumentException("no allocated block at offset " + offset);
    }
    long keep = alignedSize(newSize);
    if (newSize < 0 || keep > size) {
      throw new IllegalArgumentException(
          "cannot shrink block at " + offset + " of " + size + " bytes to " + newSize);
    }
    if (keep == size) {
      return size;
    }
    allocated.put(offset, keep);
    long tail = offset + keep;
    long tailSize = size - keep;
    allocatedBytes -= tailSize;
    Long nextSize = byOffset.get(offset + size);
    if (nextSize != null) {
      removeFree(new FreeBlock(nextSize, offset + size));
      tailSize += nextSize;
    }
    insertFree(tail, tailSize);
    return keep;
  }

  /**
   * The aligned length of the block at an offset.
   *
   * @param offset a block's offset
   * @return its length, or -1 when no allocated block starts there
   */
  public synchronized long blockSize(long offset) {
    return allocated.get(offset);
  }

  /**
   * Bytes in use: the sum of the aligned lengths of allocated blocks.
   *
   * @return bytes, at most {@link #limit()}
   */
  public synchronized long allocatedBytes() {
    return allocatedBytes;
  }

  /**
   * Allocated blocks.
   *
   * @return the count
   */
  public synchronized long allocatedBlocks() {
    return allocated.size();
  }

  /**
   * The largest free block in the range (which the limit may still forbid using whole).
   *
   * @return bytes, 0 when the range is full
   */
  public synchronized long largestFreeBlock() {
    return bySize.isEmpty() ? 0 : bySize.last().size;
  }

  /**
   * Free blocks (after coalescing: no two are adjacent).
   *
   * @return the count
   */
  public synchronized long freeBlocks() {
    return byOffset.size();
  }

  /**
   * Bytes of the range not allocated.
   *
   * @return {@code end - start - allocatedBytes()}
   */
  public synchronized long freeBytes() {
    return end - start - allocatedBytes;
  }

  /**
   * The hard limit on bytes in use.
   *
   * @return bytes
   */
  public long limit() {
    return limit;
  }

  /**
   * First usable offset.
   *
   * @return the start
   */
  public long start() {
    return start;
  }

  /**
   * End of the usable range (exclusive), a multiple of 64.
   *
   * @return the end
   */
  public long end() {
    return end;
  }

  /**
   * The free block that contains {@code at} or, if none does, the first one above it.
   *
   * @param at an offset
   * @param out receives the block's start and end (exclusive) in {@code out[0]} and {@code out[1]}
   * @return false when no free block lies at or above {@code at}
   */
  public synchronized boolean freeBlockFrom(long at, long[] out) {
    Map.Entry<Long, Long> e = byOffset.floorEntry(at);
    if (e == null || e.getKey() + e.getValue() <= at) {
      e = byOffset.ceilingEntry(at);
    }
    if (e == null) {
      return false;
    }
    out[0] = e.getKey();
    out[1] = e.getKey() + e.getValue();
    return true;
  }

  /**
   * One past the end of the highest block in use: everything from here to {@link #end()} is free.
   *
   * @return an offset in {@code [start, end]}; {@link #start()} when nothing is allocated
   */
  public synchronized long topOfUse() {
    Map.Entry<Long, Long> last = byOffset.lastEntry();
    if (last != null && last.getKey() + last.getValue() == end) {
      return last.getKey();
    }
    return end;
  }

  private void insertFree(long offset, long size) {
    bySize.add(new FreeBlock(size, offset));
    byOffset.put(offset, size);
  }

  private void removeFree(FreeBlock block) {
    bySize.remove(block);
    byOffset.remove(block.offset);
  }

  @Override
  public synchronized String toString() {
    return "BestFitAllocator[["
        + start
        + ", "
        + end
        + "), "
        + allocatedBytes
        + " of "
        + limit
        + " bytes in "
        + allocated.size()
        + " blocks, "
        + byOffset.size()
        + " free blocks]";
  }

  /** A free block, ordered by size then offset. */
  private record FreeBlock(long size, long offset) implements Comparable<FreeBlock> {
    @Override
    public int compareTo(FreeBlock o) {
      int c = Long.compare(size, o.size);
      return c != 0 ? c : Long.compare(offset, o.offset);
    }
  }
}
