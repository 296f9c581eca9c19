package io.cellar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.cellar.client.Blob;
import io.cellar.client.BlobWriter;
import io.cellar.client.IpcClient;
import io.cellar.testing.daemon.DaemonCommand;
import io.cellar.testing.daemon.VineyarddProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The prefill respects the memory cgroup the server runs in (issue 14): {@code bin/vineyardd
 * --size=1G --prefill_ahead=768M} started inside a real child cgroup limited to 384 MiB fills fresh
 * shared memory until the cgroup nears 7/8 of its limit and then waits, saying why; the kernel's
 * own counters show the limit never hit, no OOM kill, and the shared memory charged to the cgroup a
 * real part of the window. The same server in a cgroup with room for the whole window fills all of
 * it, so it is the limit that stopped the first one.
 *
 * <p>Needs root (a cgroup of its own): skipped, saying so, otherwise.
 */
@Timeout(300)
class CgroupPrefillIT {
  private static final long MIB = 1L << 20;
  private static final long WINDOW = 768 * MIB;
  private static final Duration WAIT = Duration.ofSeconds(90);

  /** What the server's JVM may charge around the prefill's last step (a step is 2 MiB). */
  private static final long SLACK = 16 * MIB;

  /** Servers before their cgroups, last made first. */
  private final Deque<AutoCloseable> teardown = new ArrayDeque<>();

  @BeforeEach
  void cellarOnly() {
    assumeFalse(Servers.referenceRequested(), "the prefill is Cellar's");
  }

  @AfterEach
  void stopServersThenRemoveCgroups() throws Exception {
    Exception first = null;
    while (!teardown.isEmpty()) {
      try {
        teardown.pop().close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private MemoryCgroup cgroup(String name, long limit) throws IOException {
    MemoryCgroup c = MemoryCgroup.createOrSkip(name, limit);
    teardown.push(c);
    return c;
  }

  private VineyarddProcess startIn(MemoryCgroup cgroup) throws IOException {
    VineyarddProcess server =
        VineyarddProcess.builder(
                DaemonCommand.cellarMain(Servers.JVM_OPTIONS).wrappedBy(cgroup.wrapper()))
            .size("1G")
            .rpc(false)
            .flags("--prefill_ahead=768M")
            .start();
    teardown.push(server);
    return server;
  }

  @Test
  void thePrefillStopsShortOfTheCgroupLimitAndFillsTheWholeWindowWhereThereIsRoom()
      throws Exception {
    long limit = 384 * MIB;
    MemoryCgroup tight = cgroup("cellar-prefill-tight-" + ProcessHandle.current().pid(), limit);
    VineyarddProcess server = startIn(tight);
    String refusal = "filling fresh shared memory ahead of use waits: cgroup memory limit:";
    Deadline.await(
        "the prefill waits for the cgroup (" + tight.counters() + ")",
        WAIT,
        () -> server.log().contains(refusal));
    long shmemAtRefusal = tight.shmem();
    System.out.printf(
        "cgroup limit %d MiB: prefill stopped at shmem %d MiB (%s)%n",
        limit >> 20, shmemAtRefusal >> 20, tight.counters());
    assertTrue(
        shmemAtRefusal >= 128 * MIB,
        "the prefill filled a real part of the window before the limit: " + tight.counters());
    assertTrue(
        tight.usage() <= limit / 8 * 7 + SLACK,
        "the cgroup's usage stays under 7/8 of its limit: " + tight.counters());
    // the server works on at the limit: a put and a get of a blob
    try (IpcClient client = IpcClient.connect(server.socket())) {
      assertEquals(server.pid(), pidOfServerIn(tight, server), "the server runs in the cgroup");
      Blob written;
      try (BlobWriter blob = client.createBlob(8 * MIB)) {
        BytePattern.fill(blob.segment(), 7);
        written = blob.seal();
      }
      assertEquals(
          -1,
          BytePattern.firstMismatch(client.getBlob(written.id()).segment(), 7),
          "the blob reads back");
    }

    MemoryCgroup roomy =
        cgroup("cellar-prefill-roomy-" + ProcessHandle.current().pid(), 2048 * MIB);
    VineyarddProcess control = startIn(roomy);
    Deadline.await(
        "the control fills its whole window (" + roomy.counters() + ")",
        WAIT,
        () -> roomy.shmem() >= WINDOW);
    System.out.printf("cgroup limit 2048 MiB: prefill filled %s%n", roomy.counters());
    assertTrue(roomy.shmem() <= WINDOW + SLACK, "and not past it: " + roomy.counters());
    assertFalse(control.log().contains(refusal), control.log());

    // the kernel's own record over the whole test: the tight cgroup never reached its limit (the
    // daemon's own heap, its background warm-up and the put above use the 1/8 the prefill left)
    assertTrue(tight.peak() < limit, "peak usage under the limit: " + tight.counters());
    assertEquals(0, tight.limitHits(), "the limit was never hit: " + tight.counters());
    assertEquals(0, tight.oomKills(), "no OOM kill: " + tight.counters());
    assertTrue(server.process().isAlive(), "the server at the limit is alive");
  }

  private static long pidOfServerIn(MemoryCgroup cgroup, VineyarddProcess server)
      throws IOException {
    String procs = java.nio.file.Files.readString(java.nio.file.Path.of(cgroup + "/cgroup.procs"));
    for (String line : procs.split("\n")) {
      if (line.trim().equals(Long.toString(server.pid()))) {
        return server.pid();
      }
    }
    throw new AssertionError(server.pid() + " is not in " + cgroup + ": " + procs);
  }
}
