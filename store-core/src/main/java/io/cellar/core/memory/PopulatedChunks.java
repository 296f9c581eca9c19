package io.cellar.core.memory;

import java.util.Arrays;

/**
 * Which fixed-size chunks of an arena have been populated (faulted in) already, so memory handed
 * out a second time costs nothing: {@link #claim(long, long)} marks the chunks a byte range touches
 * and answers the runs that were new, which the caller then populates.
 *
 * <p>Thread-safe (one monitor; each call is O(chunks in the range)). A chunk counts as populated
 * from the moment it is claimed, before the caller has populated it: a concurrent user of the same
 * chunk may take the page faults itself, which is only slower, never wrong.
 */
public final class PopulatedChunks {
  /** The default chunk size: 2 MiB, the huge page size. */
  public static final long DEFAULT_CHUNK_SIZE = 2L << 20;

  private static final long[] NONE = new long[0];

  private final long chunkSize;
  private final int chunkShift;
  private final long size;
  private final long[] bits;

  /**
   * Tracks an arena of {@code size} bytes in chunks of {@code chunkSize}.
   *
   * @param size the arena length
   * @param chunkSize a power of two, at least the page size
   */
  public PopulatedChunks(long size, long chunkSize) {
    if (Long.bitCount(chunkSize) != 1) {
      throw new IllegalArgumentException("chunk size must be a power of two: " + chunkSize);
    }
    this.chunkSize = chunkSize;
    this.chunkShift = Long.numberOfTrailingZeros(chunkSize);
    this.size = size;
    long chunks = (size + chunkSize - 1) >>> chunkShift;
    this.bits = new long[Math.toIntExact((chunks + 63) >>> 6)];
  }

  /** Marks every chunk as populated (after {@code MAP_POPULATE}). */
  public synchronized void markAll() {
    Arrays.fill(bits, -1L);
  }

  /**
   * Marks the chunks that {@code [offset, offset + length)} touches and returns the byte ranges of
   * those that were not marked before, clipped to the arena.
   *
   * @param offset the first byte
   * @param length bytes, may be 0
   * @return pairs {@code (start, length)} of newly claimed ranges, chunk aligned, in increasing
   *     order; empty when all were populated already
   */
  public synchronized long[] claim(long offset, long length) {
    if (length <= 0) {
      return NONE;
    }
    long first = offset >>> chunkShift;
    long last = (offset + length - 1) >>> chunkShift;
    long[] runs = NONE;
    int n = 0;
    long runStart = -1;
    for (long c = first; c <= last + 1; c++) {
      boolean fresh = c <= last && !isSet(c);
      if (fresh) {
        set(c);
        if (runStart < 0) {
          runStart = c;
        }
      } else if (runStart >= 0) {
        if (n + 2 > runs.length) {
          runs = Arrays.copyOf(runs, Math.max(4, runs.length * 2));
        }
        long start = runStart << chunkShift;
        runs[n++] = start;
        runs[n++] = Math.min(size, c << chunkShift) - start;
        runStart = -1;
      }
    }
    return n == runs.length ? runs : Arrays.copyOf(runs, n);
  }

  /**
   * Whether the chunk holding a byte is marked.
   *
   * @param offset a byte offset
   * @return true when populated (or claimed)
   */
  public synchronized boolean isPopulated(long offset) {
    return isSet(offset >>> chunkShift);
  }

  /**
   * Unmarks the chunks wholly inside a range (after their pages were given back).
   *
   * @param offset the first byte
   * @param length bytes
   */
  public synchronized void forget(long offset, long length) {
    long first = (offset + chunkSize - 1) >>> chunkShift;
    long end = (offset + length) >>> chunkShift;
    for (long c = first; c < end; c++) {
      bits[(int) (c >>> 6)] &= ~(1L << (c & 63));
    }
  }

  private boolean isSet(long c) {
    return (bits[(int) (c >>> 6)] & (1L << (c & 63))) != 0;
  }

  private void set(long c) {
    bits[(int) (c >>> 6)] |= 1L << (c & 63);
  }
}
