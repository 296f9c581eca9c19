package io.cellar.server.warmup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.posix.ProcessCalls;
import io.cellar.testing.ThreadNice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The warm-up's script and its throwaway server: clean answers, nothing left behind. */
class StartupWarmupTest {
  private static final WarmupScript.Plan SMALL = new WarmupScript.Plan(3, 9, 4, 2, 2);

  @Test
  void theScriptIsAnsweredWithoutAnErrorOverIpcAndRpc() throws Exception {
    Path dir;
    try (ThrowawayServer server = ThrowawayServer.start(true)) {
      dir = server.socket().getParent();
      assertTrue(server.rpcPort() > 0);
      int operations =
          WarmupScript.play(
              server.socket(),
              server.rpcPort(),
              SMALL,
              System.nanoTime() + TimeUnit.HOURS.toNanos(1));
      assertTrue(operations > 3 * 13, "three whole rounds and the RPC part: " + operations);
      assertEquals(0, server.server().metrics().errorReplies().total(), "no request failed");
      assertEquals(0, server.store().status().objects(), "every object was deleted");
      // the script's connections are closed, but the server may still be running their
      // disconnects (which drop what they held): wait for that, not for a fixed time
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (server.store().status().memoryUsage() != 0 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
        Thread.yield();
      }
      assertEquals(0, server.store().status().memoryUsage(), "and every blob freed");
      assertTrue(server.store().listNames("*", false, 10).isEmpty(), "no name left");
    }
    assertFalse(Files.exists(dir), "the private directory is gone");
  }

  @Test
  void onlyTheFirstRoundRunsPastTheDeadline() throws Exception {
    try (ThrowawayServer server = ThrowawayServer.start(false)) {
      int operations = WarmupScript.play(server.socket(), -1, SMALL, System.nanoTime());
      assertEquals(
          13 + 3 + SMALL.reads() + 1, operations, "one round (frame, blob) and cluster_meta");
    }
  }

  @Test
  void aRunLeavesNoThreadNoDirectoryAndReportsSuccess() throws Exception {
    long before = warmupDirectories();
    assertTrue(StartupWarmup.run(true, SMALL, System.nanoTime()));
    assertEquals(before, warmupDirectories(), "no private directory left");
    assertFalse(
        Thread.getAllStackTraces().keySet().stream()
            .anyMatch(t -> t.isAlive() && t.getName().equals("cellar-warmup")),
        "the script's thread has ended");
  }

  @Test
  void theBackgroundWarmUpPlaysFurtherRoundsAtABackgroundPriorityWithTheJitBesideIt()
      throws Exception {
    long before = warmupDirectories();
    CompletableFuture<Integer> operations = new CompletableFuture<>();
    Thread t = StartupWarmup.continueInBackground(false, SMALL, Duration.ofHours(1), operations);
    assertTrue(t.isDaemon(), "never keeps the daemon alive");
    assertTrue(t.join(Duration.ofSeconds(60)), "it ends by itself");
    assertEquals(
        SMALL.maxRounds() * (13 + 3 + SMALL.reads()) + 1,
        operations.get(),
        "every round of the plan, not only the first");
    assertEquals(before, warmupDirectories(), "no private directory left");
    List<Integer> compilers = CompilerThreads.ids();
    assertFalse(compilers.isEmpty(), "HotSpot's C1 and C2 threads are found");
    for (int tid : compilers) {
      assertEquals(ProcessCalls.BACKGROUND_NICE, ThreadNice.of(tid), "compiler thread " + tid);
    }
  }

  @Test
  void aLeakFoundWhenTheThrowawayStoreClosesIsLoggedNotThrown() throws Exception {
    ThrowawayServer server = ThrowawayServer.start(false);
    Path dir = server.socket().getParent();
    server.store().openOwner(); // as a script connection the server has not closed yet
    assertFalse(StartupWarmup.closeQuietly(server), "the leak check found the owner");
    assertFalse(Files.exists(dir), "the private directory is gone all the same");
    ThrowawayServer clean = ThrowawayServer.start(false);
    assertTrue(StartupWarmup.closeQuietly(clean), "nothing outstanding");
  }

  private static long warmupDirectories() throws Exception {
    try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return files.filter(p -> p.getFileName().toString().startsWith("cellar-warmup-")).count();
    }
  }
}
