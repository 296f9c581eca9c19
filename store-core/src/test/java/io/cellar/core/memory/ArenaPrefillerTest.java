package io.cellar.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.posix.MemoryCalls;
import io.cellar.posix.ProcessCalls;
import io.cellar.testing.ThreadNice;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ArenaPrefillerTest {
  private static final long MB = 1L << 20;
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void fillsTheWindowAheadOfTheHighWaterMarkAndNoFurther() throws InterruptedException {
    try (MemfdArena arena = MemfdArena.create("prefill", 64 * MB, false, false);
        ArenaPrefiller filler = new ArenaPrefiller(arena, 0, arena.size(), 16 * MB).start()) {
      assertTrue(filler.awaitFilled(16 * MB, WAIT));
      assertEquals(16 * MB / MemoryCalls.pageSize(), arena.residentPages(0, 16 * MB));
      assertEquals(0, arena.residentPages(16 * MB, 48 * MB), "nothing beyond the window");

      filler.claim(0, 24 * MB);
      assertTrue(filler.awaitFilled(40 * MB, WAIT), "the window moved up: " + filler);
      assertEquals(16 * MB / MemoryCalls.pageSize(), arena.residentPages(24 * MB, 16 * MB));
      assertEquals(0, arena.residentPages(40 * MB, 24 * MB));

      filler.claim(0, 60 * MB);
      assertTrue(filler.awaitFilled(64 * MB, WAIT), "the window stops at the arena's end");
      assertEquals(4 * MB / MemoryCalls.pageSize(), arena.residentPages(60 * MB, 4 * MB));
    }
  }

  /** The filling thread runs at a background priority (nice 10), as the kernel reports it. */
  @Test
  void theFillingThreadRunsAtABackgroundPriority() throws Exception {
    try (MemfdArena arena = MemfdArena.create("prefill-nice", 8 * MB, false, false);
        ArenaPrefiller filler = new ArenaPrefiller(arena, 0, arena.size(), 4 * MB).start()) {
      assertTrue(filler.awaitFilled(4 * MB, WAIT));
      assertEquals(ProcessCalls.BACKGROUND_NICE, ThreadNice.ofThreadNamed("cellar-prefill"));
    }
  }

  @Test
  void neverZeroesMemoryOnceItWasClaimed() throws InterruptedException {
    long block = 192 * 1024;
    try (MemfdArena arena = MemfdArena.create("prefill-race", 256 * MB, false, false);
        ArenaPrefiller filler =
            new ArenaPrefiller(
                    arena, 0, arena.size(), 3 * MB, Duration.ZERO, () -> 0, FillGate.OPEN)
                .start()) {
      long at = 0;
      int n = 0;
      while (at + block <= arena.size()) {
        filler.claim(at, at + block); // right at the mark, where the filler works
        arena.segment().set(ValueLayout.JAVA_INT, at, n + 1);
        arena.segment().set(ValueLayout.JAVA_INT, at + block - 4, n + 1);
        at += block;
        n++;
      }
      assertTrue(filler.awaitFilled(arena.size(), WAIT));
      for (int i = 0; i < n; i++) {
        long start = i * block;
        assertEquals(i + 1, arena.segment().get(ValueLayout.JAVA_INT, start), "block " + i);
        assertEquals(i + 1, arena.segment().get(ValueLayout.JAVA_INT, start + block - 4));
      }
    }
  }

  @Test
  void waitsForAQuietPeriodAfterAClaimBeforeFillingAgain() throws InterruptedException {
    try (MemfdArena arena = MemfdArena.create("prefill-quiet", 64 * MB, false, false);
        ArenaPrefiller filler =
            new ArenaPrefiller(
                    arena, 0, arena.size(), 8 * MB, Duration.ofHours(1), () -> 0, FillGate.OPEN)
                .start()) {
      assertTrue(filler.awaitFilled(8 * MB, WAIT), "before any claim it fills at once");
      filler.claim(0, 16 * MB);
      assertFalse(
          filler.awaitFilled(24 * MB, Duration.ofMillis(300)), "busy: no filling: " + filler);
    }
  }

  @Test
  void readsAndOtherActivityAlsoKeepItWaiting() throws InterruptedException {
    try (MemfdArena arena = MemfdArena.create("prefill-active", 64 * MB, false, false);
        ArenaPrefiller filler =
            new ArenaPrefiller(
                arena, 0, arena.size(), 8 * MB, Duration.ofHours(1), () -> 0, FillGate.OPEN)) {
      filler.activity(); // before the filler starts: a client is already reading
      filler.start();
      assertFalse(
          filler.awaitFilled(8 * MB, Duration.ofMillis(300)), "activity: no filling: " + filler);
      assertEquals(0, arena.residentPages(0, 8 * MB));
      assertEquals(0, arena.residentPages(16 * MB, 8 * MB));
    }
  }

  @Test
  void waitsWhileABlobIsBeingWritten() throws InterruptedException {
    java.util.concurrent.atomic.AtomicInteger writers =
        new java.util.concurrent.atomic.AtomicInteger();
    try (MemfdArena arena = MemfdArena.create("prefill-writers", 64 * MB, false, false);
        ArenaPrefiller filler =
            new ArenaPrefiller(
                    arena, 0, arena.size(), 8 * MB, Duration.ZERO, writers::get, FillGate.OPEN)
                .start()) {
      assertTrue(filler.awaitFilled(8 * MB, WAIT));
      writers.set(1);
      filler.claim(0, 16 * MB);
      assertFalse(
          filler.awaitFilled(24 * MB, Duration.ofMillis(300)), "a writer is at work: " + filler);
      writers.set(0);
      assertTrue(filler.awaitFilled(24 * MB, WAIT), "the writer sealed: filling goes on");
    }
  }

  @Test
  void claimsDuringTheQuietPeriodNeitherWakeTheFillerNorMakeItAskTheHost() throws Exception {
    java.util.concurrent.atomic.AtomicInteger asked =
        new java.util.concurrent.atomic.AtomicInteger();
    FillGate counting =
        bytes -> {
          asked.incrementAndGet();
          return null;
        };
    try (MemfdArena arena = MemfdArena.create("prefill-quiet", 64 * MB, false, false);
        ArenaPrefiller filler =
            new ArenaPrefiller(
                    arena, 0, arena.size(), 8 * MB, Duration.ofSeconds(60), () -> 0, counting)
                .start()) {
      assertTrue(filler.awaitFilled(8 * MB, WAIT));
      awaitState(filler, Thread.State.WAITING); // the window is full: it waits for a claim
      int before = asked.get();
      for (long at = 0; at < 4 * MB; at += 4096) {
        filler.claim(at, at + 4096); // a client's small puts, one after the other
      }
      awaitState(filler, Thread.State.TIMED_WAITING); // woken once, now out of the way
      assertEquals(before, asked.get(), "the host is asked only when a step is due");
      assertEquals(8 * MB, filler.filledTo(), "nothing filled while writers are busy");
    }
  }

  private static void awaitState(ArenaPrefiller filler, Thread.State state)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (filler.threadState() != state) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the filler never reached " + state + ": " + filler);
      }
      Thread.sleep(1); // polling a thread's state, not synchronising with it
    }
  }

  @Test
  void neverCommitsMoreThanTheGateAllowsAndGoesOnWhenItOpens() throws InterruptedException {
    java.util.concurrent.atomic.AtomicLong room =
        new java.util.concurrent.atomic.AtomicLong(8 * MB);
    FillGate gate =
        bytes -> room.addAndGet(-bytes) >= 0 ? null : "test limit: " + room.addAndGet(bytes);
    try (MemfdArena arena = MemfdArena.create("prefill-gate", 64 * MB, false, false);
        ArenaPrefiller filler =
            new ArenaPrefiller(arena, 0, arena.size(), 32 * MB, Duration.ZERO, () -> 0, gate)
                .start()) {
      assertTrue(filler.awaitFilled(8 * MB, WAIT));
      assertFalse(filler.awaitFilled(10 * MB, Duration.ofMillis(300)), "the gate refuses");
      assertEquals(8 * MB / MemoryCalls.pageSize(), arena.residentPages(0, arena.size()));
      room.set(Long.MAX_VALUE / 2);
      assertTrue(filler.awaitFilled(32 * MB, WAIT), "backs off, asks again, goes on: " + filler);
      assertEquals(0, arena.residentPages(32 * MB, 32 * MB), "and never past the window");
    }
  }

  @Test
  void aRewindHandsTheWindowBackAndNothingIsRefilledBeforeTheNextClaim()
      throws InterruptedException {
    try (MemfdArena arena = MemfdArena.create("prefill-rewind", 64 * MB, false, false);
        ArenaPrefiller filler =
            new ArenaPrefiller(
                    arena, 0, arena.size(), 16 * MB, Duration.ZERO, () -> 0, FillGate.OPEN)
                .start()) {
      filler.claim(0, 8 * MB);
      assertTrue(filler.awaitFilled(24 * MB, WAIT));
      assertEquals(24 * MB, filler.rewind(0, true), "what may be filled: up to the window's end");
      arena.discard(0, 24 * MB);
      assertFalse(filler.awaitFilled(MB, Duration.ofMillis(300)), "suspended: " + filler);
      assertEquals(0, arena.residentPages(0, arena.size()), "the trim is not undone");
      filler.claim(0, 2 * MB);
      assertTrue(filler.awaitFilled(18 * MB, WAIT), "the next claim refills the window");
      assertEquals(0, arena.residentPages(18 * MB, 46 * MB));
      assertEquals(2 * MB, filler.highWater());
      assertEquals(18 * MB, filler.rewind(2 * MB, false));
      assertTrue(filler.awaitFilled(18 * MB, WAIT), "not suspended: the window comes back");
    }
  }

  @Test
  void closeStopsTheThreadAndIsIdempotent() {
    try (MemfdArena arena = MemfdArena.create("prefill-close", 512 * MB, false, false)) {
      ArenaPrefiller filler = new ArenaPrefiller(arena, 0, arena.size(), 512 * MB).start();
      filler.close();
      long reached = filler.filledTo();
      filler.close();
      assertEquals(reached, filler.filledTo(), "nothing is filled after close");
      assertTrue(
          arena.residentPages(0, arena.size()) <= reached / MemoryCalls.pageSize(),
          "no page beyond what the filler reported");
    }
    assertThrows(IllegalArgumentException.class, () -> new ArenaPrefiller(null, 0, 1, 0));
    try (MemfdArena arena = MemfdArena.create("prefill-twice", 4 * MB, false, false);
        ArenaPrefiller filler = new ArenaPrefiller(arena, 0, arena.size(), MB).start()) {
      assertThrows(IllegalStateException.class, filler::start, "one thread per filler");
    }
  }
}
