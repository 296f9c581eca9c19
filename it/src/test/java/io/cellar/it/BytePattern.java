package io.cellar.it;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A position-dependent byte pattern for byte-exact checks: byte {@code i} of a pattern with seed
 * {@code s} is a mix of {@code i} and {@code s}, so shifted, truncated or foreign data never
 * matches. Filled 8 bytes at a time.
 *
 * <p>Stateless and thread-safe.
 */
final class BytePattern {
  private static final ValueLayout.OfLong LONG =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private BytePattern() {}

  /**
   * The 8 pattern bytes starting at the 8-aligned position {@code at}, as a little-endian long.
   *
   * @param seed the pattern's seed
   * @param at a multiple of 8
   * @return the word
   */
  static long word(long seed, long at) {
    long x = (at >>> 3) * 0x9E3779B97F4A7C15L + seed;
    x ^= x >>> 31;
    x *= 0xBF58476D1CE4E5B9L;
    return x ^ (x >>> 29);
  }

  /**
   * The pattern byte at a position.
   *
   * @param seed the seed
   * @param at any position
   * @return the byte
   */
  static byte at(long seed, long at) {
    return (byte) (word(seed, at & ~7L) >>> (8 * (at & 7)));
  }

  /**
   * Writes the pattern over a whole segment (every byte is written).
   *
   * @param target the segment
   * @param seed the seed
   */
  static void fill(MemorySegment target, long seed) {
    long size = target.byteSize();
    long words = size & ~7L;
    for (long at = 0; at < words; at += 8) {
      target.set(LONG, at, word(seed, at));
    }
    for (long at = words; at < size; at++) {
      target.set(ValueLayout.JAVA_BYTE, at, at(seed, at));
    }
  }

  /**
   * The position of the first byte that differs from the pattern, or -1.
   *
   * @param source the bytes to check
   * @param seed the seed
   * @return the first mismatch, or -1 when every byte matches
   */
  static long firstMismatch(MemorySegment source, long seed) {
    long size = source.byteSize();
    long words = size & ~7L;
    for (long at = 0; at < words; at += 8) {
      if (source.get(LONG, at) != word(seed, at)) {
        return at;
      }
    }
    for (long at = words; at < size; at++) {
      if (source.get(ValueLayout.JAVA_BYTE, at) != at(seed, at)) {
        return at;
      }
    }
    return -1;
  }

  /**
   * A checksum of the words at a stride, to compare a huge blob without reading it all.
   *
   * @param source the bytes
   * @param strideWords check every {@code strideWords}-th 8-byte word
   * @return the sum
   */
  static long stridedChecksum(MemorySegment source, long strideWords) {
    long sum = 0;
    for (long at = 0; at + 8 <= source.byteSize(); at += 8 * strideWords) {
      sum = sum * 31 + source.get(LONG, at);
    }
    return sum;
  }

  /**
   * The expected {@link #stridedChecksum} of a pattern of {@code size} bytes.
   *
   * @param seed the seed
   * @param size the length
   * @param strideWords the stride
   * @return the sum
   */
  static long expectedStridedChecksum(long seed, long size, long strideWords) {
    long sum = 0;
    for (long at = 0; at + 8 <= size; at += 8 * strideWords) {
      sum = sum * 31 + word(seed, at);
    }
    return sum;
  }
}
