package io.cellar.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.posix.MemoryCalls;
import org.junit.jupiter.api.Test;

class ArenaDescriptorTest {
  private static final long MIB = 1L << 20;

  @Test
  void theFileIsTheLimitPlusAnEighthPlusSlackAndGuards() {
    assertEquals(64 * MIB + 8 * MIB + (16L << 10) + 128, ArenaDescriptor.requestedLength(64 * MIB));
    assertEquals((16L << 10) + 128, ArenaDescriptor.requestedLength(0));
    assertThrows(IllegalArgumentException.class, () -> ArenaDescriptor.requestedLength(-1));
  }

  @Test
  void blobsStayClearOfBothEndsAndOfTheBytesClientsDoNotMap() {
    assertEquals(64, ArenaDescriptor.blobsStart());
    try (MemfdArena arena =
        MemfdArena.create("t", ArenaDescriptor.requestedLength(MIB), false, false)) {
      long size = arena.size();
      assertEquals(0, size % MemoryCalls.pageSize(), "rounded to pages, not to 2 MiB");
      assertTrue(size < ArenaDescriptor.requestedLength(MIB) + MemoryCalls.pageSize());
      long end = ArenaDescriptor.blobsEnd(size);
      assertEquals(size - 64, end);
      assertEquals(0, end % 64, "the blob range ends 64-byte aligned");
      assertTrue(end <= size - 8, "never in the last 8 bytes, which clients do not map");
    }
  }
}
