package io.cellar.core.memory;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import org.junit.jupiter.api.Test;

/** The heap guard: refusal past the limit, a rate-limited recheck, and creation resuming. */
class HeapHeadroomTest {
  private static final long MIB = 1 << 20;
  private long now;
  private int collections;
  private long afterCollection = -1; // what the next asked-for collection leaves, -1: unchanged
  private HeapHeadroom headroom;

  private HeapHeadroom headroom() {
    headroom =
        new HeapHeadroom(
            () -> {
              collections++;
              if (afterCollection >= 0) {
                headroom.update(afterCollection, 100 * MIB);
              }
            },
            () -> now);
    return headroom;
  }

  @Test
  void roomUnderTheLimitRefusesNothingAndAsksForNoCollection() {
    HeapHeadroom h = headroom();
    assertDoesNotThrow(() -> h.require("a blob"), "nothing known yet");
    h.update(89 * MIB, 100 * MIB);
    assertDoesNotThrow(() -> h.require("a blob"));
    assertEquals(0, collections);
  }

  @Test
  void pastTheLimitCreationIsRefusedWithNotEnoughMemory() {
    HeapHeadroom h = headroom();
    h.update(95 * MIB, 100 * MIB);
    CellarException e = assertThrows(CellarException.class, () -> h.require("an object"));
    assertEquals(StatusCode.NOT_ENOUGH_MEMORY, e.status());
    assertTrue(e.getMessage().contains("cannot create an object"), e.getMessage());
    assertTrue(e.getMessage().contains("95% full (95 of 100 MiB)"), e.getMessage());
    assertEquals(1, collections, "a refusal looks at what a collection leaves first");
  }

  @Test
  void aRefusalAsksForACollectionAtMostOncePerInterval() {
    HeapHeadroom h = headroom();
    h.update(95 * MIB, 100 * MIB);
    assertThrows(CellarException.class, () -> h.require("a blob"));
    now += HeapHeadroom.RECHECK_NANOS - 1;
    assertThrows(CellarException.class, () -> h.require("a blob"));
    assertEquals(1, collections);
    now += 1;
    assertThrows(CellarException.class, () -> h.require("a blob"));
    assertEquals(2, collections);
  }

  @Test
  void aDeleteLetsTheNextRefusalCollectAtOnce() {
    HeapHeadroom h = headroom();
    h.update(95 * MIB, 100 * MIB);
    assertThrows(CellarException.class, () -> h.require("a blob"));
    assertEquals(1, collections);
    h.freed(); // objects deleted well within the interval
    afterCollection = 40 * MIB;
    assertDoesNotThrow(() -> h.require("a blob"), "what was deleted is collected and counted");
    assertEquals(2, collections);
  }

  @Test
  void aDeleteArmsOneCollectionOnly() {
    HeapHeadroom h = headroom();
    h.update(95 * MIB, 100 * MIB);
    assertThrows(CellarException.class, () -> h.require("a blob"));
    h.freed();
    assertThrows(CellarException.class, () -> h.require("a blob"), "the delete freed too little");
    assertEquals(2, collections);
    assertThrows(CellarException.class, () -> h.require("a blob"));
    assertEquals(2, collections, "no more collections until the interval or another delete");
  }

  @Test
  void aDeleteWhileThereIsRoomArmsNothing() {
    HeapHeadroom h = headroom();
    h.update(40 * MIB, 100 * MIB);
    h.freed();
    h.update(95 * MIB, 100 * MIB);
    assertThrows(CellarException.class, () -> h.require("a blob"));
    now += 1;
    assertThrows(CellarException.class, () -> h.require("a blob"));
    assertEquals(1, collections, "only the first refusal's own collection");
  }

  @Test
  void creationResumesOnceACollectionLeavesRoom() {
    HeapHeadroom h = headroom();
    h.update(95 * MIB, 100 * MIB);
    afterCollection = 40 * MIB; // objects were deleted: the asked-for collection frees them
    assertDoesNotThrow(() -> h.require("a blob"));
    assertEquals(1, collections);
    assertDoesNotThrow(() -> h.require("a blob"));
    assertEquals(1, collections, "no collection asked for while there is room");
  }

  @Test
  void anUnknownMaximumIsNeverFull() {
    HeapHeadroom h = headroom();
    h.update(95 * MIB, -1);
    assertDoesNotThrow(() -> h.require("a blob"));
  }
}
