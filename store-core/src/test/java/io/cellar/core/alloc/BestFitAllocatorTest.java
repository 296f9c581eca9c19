package io.cellar.core.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class BestFitAllocatorTest {
  private static final long MB = 1L << 20;

  @Test
  void blocksAreAlignedAndCarvedFromLowOffsets() {
    BestFitAllocator a = new BestFitAllocator(64, 1 * MB, 1 * MB);
    assertEquals(64, a.allocate(1));
    assertEquals(128, a.allocate(64));
    assertEquals(192, a.allocate(65));
    assertEquals(320, a.allocate(100));
    assertEquals(64 + 64 + 128 + 128, a.allocatedBytes());
    assertEquals(4, a.allocatedBlocks());
    assertEquals(128, a.blockSize(192));
    assertEquals(-1, a.blockSize(200));
  }

  @Test
  void freeBlocksAndTheTopOfUseAreReported() {
    BestFitAllocator a = new BestFitAllocator(0, 64 * MB, 64 * MB);
    assertEquals(0, a.topOfUse(), "nothing in use");
    long x = a.allocate(4 * MB);
    long y = a.allocate(4 * MB);
    long z = a.allocate(4 * MB);
    assertEquals(12 * MB, a.topOfUse());
    a.free(y);
    long[] block = new long[2];
    assertTrue(a.freeBlockFrom(x, block));
    assertEquals(List.of(4 * MB, 8 * MB), List.of(block[0], block[1]), "the hole above x");
    assertTrue(a.freeBlockFrom(6 * MB, block), "inside the hole");
    assertEquals(4 * MB, block[0]);
    assertTrue(a.freeBlockFrom(9 * MB, block), "inside z: the tail above it");
    assertEquals(List.of(12 * MB, 64 * MB), List.of(block[0], block[1]));
    assertEquals(false, a.freeBlockFrom(64 * MB, block));
    a.free(z);
    assertEquals(4 * MB, a.topOfUse(), "the top falls as the highest block goes");
    a.free(x);
    assertEquals(0, a.topOfUse());
  }

  @Test
  void aFreedBlockIsReusedBeforeUntouchedMemory() {
    BestFitAllocator a = new BestFitAllocator(0, 64 * MB, 64 * MB);
    long first = a.allocate(4 * MB);
    long keep = a.allocate(64);
    a.free(first);
    assertEquals(first, a.allocate(4 * MB), "same size: the freed block comes back");
    a.free(first);
    assertEquals(first, a.allocate(MB), "smaller: best fit is the freed hole, not the tail");
    assertEquals(first + MB, a.allocate(MB));
    assertTrue(keep > first);
  }

  @Test
  void bestFitPicksTheSmallestHoleThatFits() {
    BestFitAllocator a = new BestFitAllocator(0, 10 * MB, 10 * MB);
    long big = a.allocate(512 * 1024);
    a.allocate(64);
    long small = a.allocate(128 * 1024);
    a.allocate(64);
    a.free(big);
    a.free(small);
    assertEquals(small, a.allocate(100 * 1024));
    assertEquals(big, a.allocate(200 * 1024));
  }

  @Test
  void freeingEverythingCoalescesIntoOneBlock() {
    BestFitAllocator a = new BestFitAllocator(64, 8 * MB, 8 * MB);
    List<Long> offsets = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      offsets.add(a.allocate(1000 + i * 64L));
    }
    // free every other block, then the rest, in reverse: both neighbours merge
    for (int i = 0; i < offsets.size(); i += 2) {
      a.free(offsets.get(i));
    }
    for (int i = offsets.size() - 1; i >= 1; i -= 2) {
      a.free(offsets.get(i));
    }
    assertEquals(0, a.allocatedBytes());
    assertEquals(1, a.freeBlocks());
    assertEquals(a.end() - a.start(), a.largestFreeBlock());
  }

  @Test
  void theLimitIsSeparateFromTheRange() {
    BestFitAllocator a = new BestFitAllocator(0, 4 * MB, MB);
    long x = a.allocate(MB / 2);
    a.allocate(MB / 2);
    CellarException e = assertThrows(CellarException.class, () -> a.allocate(64));
    assertEquals(StatusCode.NOT_ENOUGH_MEMORY, e.status());
    assertEquals(41, e.status().code());
    assertTrue(e.getMessage().startsWith("Failed to allocate memory of size 64"), e.getMessage());
    assertEquals(-1, a.tryAllocate(64));
    a.free(x);
    assertTrue(a.tryAllocate(MB / 2) >= 0);
    assertEquals(-1, a.tryAllocate(2 * MB), "larger than the limit");
    assertEquals(-1, a.tryAllocate(Long.MAX_VALUE));
  }

  @Test
  void fragmentationFailsWhenNoHoleIsLargeEnough() {
    BestFitAllocator a = new BestFitAllocator(0, 4 * 64, 4 * 64);
    long b0 = a.allocate(64);
    a.allocate(64);
    long b2 = a.allocate(64);
    a.allocate(64);
    a.free(b0);
    a.free(b2);
    assertEquals(128, a.freeBytes());
    assertEquals(64, a.largestFreeBlock());
    CellarException e = assertThrows(CellarException.class, () -> a.allocate(128));
    assertTrue(e.getMessage().contains("the largest block that fits 64"), e.getMessage());
  }

  @Test
  void theMessageNeverReportsMoreThanIsFree() {
    // the range is larger than the limit (it absorbs fragmentation): its one free block is
    // larger than what the limit leaves
    BestFitAllocator a = new BestFitAllocator(0, 4 * MB, MB);
    a.allocate(MB - 4096);
    CellarException e = assertThrows(CellarException.class, () -> a.allocate(8192));
    assertTrue(
        e.getMessage().contains("4096 free, the largest block that fits 4096"), e.getMessage());
    assertEquals(4096, a.largestAllocatable());
    assertTrue(a.largestFreeBlock() > 4096);
  }

  @Test
  void shrinkFreesTheTailAndMergesItWithTheNextHole() {
    BestFitAllocator a = new BestFitAllocator(0, MB, MB);
    long x = a.allocate(64 * 1024);
    assertEquals(128, a.shrink(x, 100));
    assertEquals(128, a.allocatedBytes());
    assertEquals(1, a.freeBlocks());
    assertEquals(x + 128, a.allocate(64));
    assertEquals(64, a.shrink(x, 0));
    assertThrows(IllegalArgumentException.class, () -> a.shrink(x, 1000));
    assertThrows(IllegalArgumentException.class, () -> a.shrink(x + 1, 10));
  }

  @Test
  void freeingAnUnknownOffsetIsRejected() {
    BestFitAllocator a = new BestFitAllocator(0, MB, MB);
    long x = a.allocate(100);
    a.free(x);
    assertThrows(IllegalArgumentException.class, () -> a.free(x));
    assertThrows(IllegalArgumentException.class, () -> a.allocate(0));
    assertThrows(IllegalArgumentException.class, () -> new BestFitAllocator(8, MB, MB));
  }

  /** Random allocate/free/shrink sequences against a model: no overlap, aligned, exact counters. */
  @Test
  void randomSequencesKeepEveryInvariant() {
    for (long seed = 1; seed <= 20; seed++) {
      Random rnd = new Random(seed);
      long end = 64 + (4 + rnd.nextInt(60)) * MB;
      long limit = rnd.nextBoolean() ? end - 64 : (end - 64) * 3 / 4;
      BestFitAllocator a = new BestFitAllocator(64, end, limit);
      TreeMap<Long, Long> model = new TreeMap<>();
      long used = 0;
      for (int step = 0; step < 3000; step++) {
        int op = rnd.nextInt(10);
        if (op < 6 || model.isEmpty()) {
          long size = randomSize(rnd);
          long off = a.tryAllocate(size);
          if (off < 0) {
            // must be a real failure: over the limit, or no hole large enough
            long need = BestFitAllocator.alignedSize(size);
            assertTrue(used + need > limit || a.largestFreeBlock() < need, "seed " + seed);
            continue;
          }
          long len = BestFitAllocator.alignedSize(size);
          assertEquals(0, off % 64);
          assertTrue(off >= 64 && off + len <= end);
          Map.Entry<Long, Long> prev = model.floorEntry(off);
          assertTrue(prev == null || prev.getKey() + prev.getValue() <= off, "overlap below");
          Map.Entry<Long, Long> next = model.ceilingEntry(off);
          assertTrue(next == null || off + len <= next.getKey(), "overlap above");
          model.put(off, len);
          used += len;
        } else if (op < 9) {
          Long off = pick(rnd, model);
          used -= a.free(off);
          model.remove(off);
        } else {
          Long off = pick(rnd, model);
          long len = model.get(off);
          long now = a.shrink(off, rnd.nextLong(len + 1));
          used -= len - now;
          model.put(off, now);
        }
        assertEquals(used, a.allocatedBytes());
        assertEquals(model.size(), a.allocatedBlocks());
        assertTrue(used <= limit);
      }
      for (Long off : new ArrayList<>(model.keySet())) {
        a.free(off);
      }
      assertEquals(0, a.allocatedBytes());
      assertEquals(1, a.freeBlocks(), "seed " + seed + ": everything coalesces back");
      assertEquals(end - 64, a.largestFreeBlock());
    }
  }

  @Test
  void concurrentThreadsNeverGetOverlappingBlocks() throws Exception {
    BestFitAllocator a = new BestFitAllocator(0, 256 * MB, 256 * MB);
    int threads = 4;
    List<Thread> workers = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.ConcurrentSkipListMap<Long, Long> owned =
        new java.util.concurrent.ConcurrentSkipListMap<>();
    for (int t = 0; t < threads; t++) {
      long seed = t;
      Thread w =
          new Thread(
              () -> {
                try {
                  Random rnd = new Random(seed);
                  List<Long> mine = new ArrayList<>();
                  for (int i = 0; i < 20_000; i++) {
                    if (mine.isEmpty() || (mine.size() < 400 && rnd.nextInt(3) > 0)) {
                      long size = 1 + rnd.nextInt(64 * 1024);
                      long off = a.allocate(size);
                      long len = BestFitAllocator.alignedSize(size);
                      if (owned.putIfAbsent(off, len) != null) {
                        throw new AssertionError("offset handed out twice: " + off);
                      }
                      Map.Entry<Long, Long> lower = owned.lowerEntry(off);
                      if (lower != null && lower.getKey() + lower.getValue() > off) {
                        throw new AssertionError("overlap at " + off);
                      }
                      Map.Entry<Long, Long> higher = owned.higherEntry(off);
                      if (higher != null && off + len > higher.getKey()) {
                        throw new AssertionError("overlap above " + off);
                      }
                      mine.add(off);
                    } else {
                      long off = mine.remove(rnd.nextInt(mine.size()));
                      owned.remove(off);
                      a.free(off);
                    }
                  }
                  for (long off : mine) {
                    owned.remove(off);
                    a.free(off);
                  }
                } catch (Throwable e) {
                  failures.add(e);
                }
              });
      workers.add(w);
      w.start();
    }
    for (Thread w : workers) {
      w.join();
    }
    assertTrue(failures.isEmpty(), () -> failures.toString());
    assertEquals(0, a.allocatedBytes());
    assertEquals(0, a.allocatedBlocks());
    assertEquals(1, a.freeBlocks());
  }

  private static long randomSize(Random rnd) {
    return switch (rnd.nextInt(4)) {
      case 0 -> 1 + rnd.nextInt(256);
      case 1 -> 1 + rnd.nextInt(64 * 1024);
      case 2 -> 1 + rnd.nextInt(1 << 20);
      default -> 1 + rnd.nextInt(8 << 20);
    };
  }

  private static Long pick(Random rnd, TreeMap<Long, Long> model) {
    Long k = model.ceilingKey(rnd.nextLong(model.lastKey() + 1));
    return k != null ? k : model.firstKey();
  }
}
