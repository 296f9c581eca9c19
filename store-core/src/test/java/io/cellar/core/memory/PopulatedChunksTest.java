package io.cellar.core.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PopulatedChunksTest {
  private static final long MB = 1L << 20;

  @Test
  void claimsOnlyChunksNotClaimedBefore() {
    PopulatedChunks chunks = new PopulatedChunks(10 * MB + 4096, 2 * MB);
    assertArrayEquals(new long[] {0, 4 * MB}, chunks.claim(100, 3 * MB));
    assertArrayEquals(new long[0], chunks.claim(0, 4 * MB), "warm reuse claims nothing");
    assertArrayEquals(new long[] {4 * MB, 2 * MB}, chunks.claim(3 * MB, 2 * MB));
    // a range spanning claimed and fresh chunks gets the fresh runs, the last one clipped
    assertArrayEquals(new long[] {6 * MB, 4 * MB + 4096}, chunks.claim(MB, 10 * MB + 4096 - MB));
    assertTrue(chunks.isPopulated(10 * MB + 100));
  }

  @Test
  void returnsSeparateRunsAroundClaimedChunks() {
    PopulatedChunks chunks = new PopulatedChunks(8 * MB, 2 * MB);
    chunks.claim(2 * MB, 1);
    assertArrayEquals(new long[] {0, 2 * MB, 4 * MB, 4 * MB}, chunks.claim(0, 8 * MB));
  }

  @Test
  void markAllAndForget() {
    PopulatedChunks chunks = new PopulatedChunks(8 * MB, 2 * MB);
    chunks.markAll();
    assertEquals(0, chunks.claim(0, 8 * MB).length);
    chunks.forget(MB, 4 * MB); // only the chunk [2, 4) MiB lies wholly inside
    assertFalse(chunks.isPopulated(2 * MB));
    assertTrue(chunks.isPopulated(0));
    assertTrue(chunks.isPopulated(4 * MB));
    assertArrayEquals(new long[] {2 * MB, 2 * MB}, chunks.claim(0, 8 * MB));
  }
}
