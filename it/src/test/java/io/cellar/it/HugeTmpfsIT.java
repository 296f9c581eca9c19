package io.cellar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.cellar.client.IpcClient;
import io.cellar.testing.daemon.DaemonCommand;
import io.cellar.testing.daemon.VineyarddProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The arena on a real huge tmpfs ({@code --shm_dir} on a tmpfs this test mounts {@code
 * huge=always}): the server says {@code huge_tmpfs} in {@code instance_status} and its metrics, an
 * array put by one Python client and read back by a fresh one keeps every bit, and the kernel
 * really backs it with 2 MiB pages ({@code ShmemHugePages} in {@code /proc/meminfo} rises by the
 * array, both clients' own mappings of the arena are PMD-mapped). On a tmpfs without huge pages the
 * server falls back to memfd and logs why. On the huge tmpfs the mount's usage is exactly the
 * arena's committed pages, which makes two more things measurable from outside the server: the
 * prefill commits its window and not a page more, and the upstream client's {@code
 * test_memory_trim} gets the arena's pages back.
 *
 * <p>Needs root (mount(2)): every test is skipped, saying so, when this JVM is not uid 0 or the
 * kernel refuses the mount. Every mount is unmounted in teardown, after its server is stopped, and
 * the teardown fails when it is still mounted.
 */
@Timeout(300)
class HugeTmpfsIT {
  private static final long MIB = 1L << 20;
  private static final long HUGE_PAGE = 2 * MIB;
  private static final long ARRAY = 64 * MIB;
  private static final Duration WAIT = Duration.ofSeconds(120);

  /** Each of the prefill test's two waits: both fit in the class's timeout. */
  private static final Duration PREFILL_WAIT = Duration.ofSeconds(90);

  /** What to close after each test, last opened first: servers before their mounts. */
  private final Deque<AutoCloseable> teardown = new ArrayDeque<>();

  @BeforeEach
  void cellarOnly() {
    assumeFalse(Servers.referenceRequested(), "--shm_dir's backing is Cellar's");
  }

  @AfterEach
  void stopServersThenUnmount() throws Exception {
    Throwable first = null;
    while (!teardown.isEmpty()) {
      try {
        teardown.pop().close();
      } catch (Exception | AssertionError e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first instanceof Exception e) {
      throw e;
    } else if (first != null) {
      throw (AssertionError) first;
    }
  }

  private TmpfsMount mount(String options) throws IOException {
    TmpfsMount m = TmpfsMount.mountOrSkip(options);
    teardown.push(
        () -> {
          m.close();
          assertTrue(!m.isMounted() && !Files.exists(m.dir()), m + " is gone after teardown");
        });
    return m;
  }

  private VineyarddProcess start(String size, String... flags) throws IOException {
    VineyarddProcess server =
        VineyarddProcess.builder(DaemonCommand.cellarMain(Servers.JVM_OPTIONS))
            .size(size)
            .metrics()
            .flags(flags)
            .start();
    teardown.push(server);
    return server;
  }

  @Test
  void anArenaOnAHugeTmpfsGetsHugePagesAndKeepsEveryBit() throws Exception {
    TmpfsMount tmpfs = mount("size=512m,huge=always");
    assertTrue(tmpfs.mountsLine().contains("huge=always"), tmpfs.mountsLine());
    // no prefill: every page the arena holds is one the writing client faulted in
    VineyarddProcess server = start("256M", "--shm_dir=" + tmpfs.dir(), "--prefill_ahead=0");
    try (IpcClient observer = IpcClient.connect(server.socket())) {
      assertEquals("huge_tmpfs", observer.instanceStatus().memoryBacking(), server.log());
    }
    assertTrue(
        metrics(server).contains("vineyard_memory_backing{backing=\"huge_tmpfs\"} 1.0"),
        metrics(server));
    assertTrue(server.log().contains("shared memory: huge_tmpfs,"), server.log());
    try (Stream<Path> entries = Files.list(tmpfs.dir())) {
      assertEquals(0, entries.count(), "the arena file is unlinked: passed by fd only");
    }

    long usedBefore = tmpfs.usedBytes();
    long hugeBefore = Meminfo.bytes("ShmemHugePages:");
    Map<String, String> put =
        scenario("put", server.socket().toString(), Long.toString(ARRAY), tmpfs.dir().toString());
    long usedAfter = tmpfs.usedBytes();
    long hugeAfter = Meminfo.bytes("ShmemHugePages:");
    Map<String, String> get =
        scenario(
            "get",
            server.socket().toString(),
            put.get("ID"),
            Long.toString(ARRAY),
            tmpfs.dir().toString());
    System.out.printf(
        "huge tmpfs: mount used %d -> %d MiB, ShmemHugePages %d -> %d MiB, PMD-mapped in the"
            + " writer %d MiB, in the reader %d MiB%n",
        usedBefore >> 20,
        usedAfter >> 20,
        hugeBefore >> 20,
        hugeAfter >> 20,
        Long.parseLong(put.get("PMD_MAPPED")) >> 20,
        Long.parseLong(get.get("PMD_MAPPED")) >> 20);

    assertTrue(usedAfter - usedBefore >= ARRAY, "the array's pages are on the mount");
    assertTrue(
        hugeAfter - hugeBefore >= ARRAY,
        "ShmemHugePages rose by the array: " + hugeBefore + " -> " + hugeAfter);
    assertTrue(
        Long.parseLong(put.get("PMD_MAPPED")) >= ARRAY,
        "the writer's mapping of the arena is PMD-mapped: " + put);
    assertTrue(
        Long.parseLong(get.get("PMD_MAPPED")) >= ARRAY,
        "the reader's mapping of the arena is PMD-mapped: " + get);
    assertEquals(put.get("SHA256"), get.get("SHA256"), "the reader saw the writer's bytes");
  }

  @Test
  void aTmpfsWithoutHugePagesFallsBackToMemfdAndSaysWhy() throws Exception {
    TmpfsMount tmpfs = mount("size=512m,huge=never");
    VineyarddProcess server = start("256M", "--shm_dir=" + tmpfs.dir());
    try (IpcClient observer = IpcClient.connect(server.socket())) {
      assertEquals("memfd", observer.instanceStatus().memoryBacking(), server.log());
    }
    assertTrue(
        metrics(server).contains("vineyard_memory_backing{backing=\"memfd\"} 1.0"),
        metrics(server));
    String why =
        "huge_tmpfs: --shm_dir="
            + tmpfs.dir()
            + " is on tmpfs at "
            + tmpfs.dir()
            + " with huge=never, not a tmpfs mounted huge=always or huge=within_size";
    assertTrue(server.log().contains(why), server.log());

    long usedBefore = tmpfs.usedBytes();
    Map<String, String> put =
        scenario("put", server.socket().toString(), Long.toString(ARRAY), tmpfs.dir().toString());
    scenario(
        "get",
        server.socket().toString(),
        put.get("ID"),
        Long.toString(ARRAY),
        tmpfs.dir().toString());
    assertEquals(usedBefore, tmpfs.usedBytes(), "nothing of the arena went to --shm_dir");
    assertEquals("0", put.get("PMD_MAPPED"), "no mapping of a file under --shm_dir");
  }

  /**
   * The prefill commits its window ahead of the allocations and never a page past it, at start and
   * after a put moved the window up. The tmpfs's usage is the arena's committed pages, sampled at
   * every poll. The host's gate ({@code HostHeadroom}: memory, cgroup, pressure) may hold the
   * filling back on a busy machine; when it does so for the whole wait, the test is skipped with
   * the reason the server logged.
   */
  @Test
  void thePrefillCommitsItsWindowAndNoMore() throws Exception {
    long window = 32 * MIB;
    TmpfsMount tmpfs = mount("size=512m,huge=always");
    VineyarddProcess server = start("256M", "--shm_dir=" + tmpfs.dir(), "--prefill_ahead=32M");
    // the blob range starts at 64 bytes: a window of 32 MiB touches 17 huge pages
    long bound = window + HUGE_PAGE;
    awaitCommitted(server, tmpfs, window, bound, "the first window");

    Map<String, String> put =
        scenario("put", server.socket().toString(), Long.toString(ARRAY), tmpfs.dir().toString());
    assertTrue(put.containsKey("ID"), put.toString());
    // the array (64 MiB of data, its block 64-byte aligned) and the window above it
    awaitCommitted(
        server, tmpfs, ARRAY + window, ARRAY + bound + HUGE_PAGE, "the window above the array");
  }

  /** Polls until the mount holds {@code atLeast}, failing if any sample exceeds {@code atMost}. */
  private static void awaitCommitted(
      VineyarddProcess server, TmpfsMount tmpfs, long atLeast, long atMost, String what) {
    AtomicLong highest = new AtomicLong();
    try {
      Deadline.await(
          what + " to be prefilled (" + (atLeast >> 20) + " MiB)",
          PREFILL_WAIT,
          () -> {
            long used = tmpfs.usedBytes();
            highest.accumulateAndGet(used, Math::max);
            assertTrue(
                used <= atMost,
                "prefilled " + (used >> 20) + " MiB, past the window's " + (atMost >> 20) + " MiB");
            return used >= atLeast;
          });
    } catch (AssertionError e) {
      String log = server.log();
      assumeFalse(
          highest.get() <= atMost && log.contains("filling fresh shared memory ahead of use waits"),
          "the host's gate held the prefill back: " + log);
      throw e;
    }
    assertTrue(highest.get() <= atMost, "never past the window: " + highest.get());
    System.out.printf(
        "prefill: %s committed %d MiB (window bound %d MiB)%n",
        what, highest.get() >> 20, atMost >> 20);
  }

  /**
   * The upstream client's {@code test_memory_trim} (eight arrays of 128 MB put, then deleted with
   * {@code memory_trim=True}; it reads the host's {@code Shmem}) on the huge-page arena, where a
   * trim frees whole 2 MiB pages only. Afterwards the store is empty and the mount holds no page,
   * whatever the prefill had filled before (an explicit trim gives the window back too): not even
   * the pages the free range shares with the arena's guards or with the last block's tail.
   */
  @Test
  void theUpstreamMemoryTrimTestPassesOnAHugeTmpfs() throws Exception {
    TmpfsMount tmpfs = mount("size=3g,huge=always");
    VineyarddProcess server = start("2G", "--shm_dir=" + tmpfs.dir());
    long before = tmpfs.usedBytes();
    long shmemBefore = Meminfo.bytes("Shmem:");
    String out = MemoryTrimIT.runUpstreamMemoryTrim(server.socket());
    long after = tmpfs.usedBytes();
    System.out.printf(
        "memory trim on huge tmpfs: mount used %d -> %d MiB, Shmem %d -> %d MiB%n",
        before >> 20, after >> 20, shmemBefore >> 20, Meminfo.bytes("Shmem:") >> 20);
    assertTrue(out.contains("1 passed"), out);
    assertEquals(0, after, "every page of the emptied arena went back");
  }

  /**
   * The server's own idle trim: a client puts four arrays of 64 MiB and deletes them without {@code
   * memory_trim}; once no client has been active for the idle period (10 s), the server gives the
   * freed pages back by itself and keeps only the prefill window (32 MiB here) ahead of the (now
   * empty) allocations.
   */
  @Test
  void theIdleTrimGivesFreedPagesBackAndKeepsTheWindow() throws Exception {
    long window = 32 * MIB;
    TmpfsMount tmpfs = mount("size=1g,huge=always");
    VineyarddProcess server = start("512M", "--shm_dir=" + tmpfs.dir(), "--prefill_ahead=32M");
    long freed = 4 * ARRAY;
    String out =
        PythonEnvironment.get()
            .runScenario(
                "huge_pages.py", Map.of(), "churn", server.socket().toString(), "4", "" + ARRAY);
    assertTrue(out.contains("OK huge_pages churn"), out);
    long afterChurn = tmpfs.usedBytes();
    assertTrue(afterChurn >= freed, "the deleted arrays' pages are still there: " + afterChurn);
    long started = System.nanoTime();
    // the window [64, 32 MiB + 64) ahead of the empty allocations touches 17 huge pages
    Deadline.await(
        "the idle trim to give the freed pages back",
        WAIT,
        () -> tmpfs.usedBytes() <= window + HUGE_PAGE);
    System.out.printf(
        "idle trim: mount used %d MiB after the deletes, %d MiB %d ms later%n",
        afterChurn >> 20, tmpfs.usedBytes() >> 20, (System.nanoTime() - started) / 1_000_000);
  }

  private static Map<String, String> scenario(String... args) throws Exception {
    String out = PythonEnvironment.get().runScenario("huge_pages.py", Map.of(), args);
    assertTrue(out.contains("OK huge_pages " + args[0]), out);
    Map<String, String> values = new java.util.HashMap<>();
    for (String line : out.split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length == 2) {
        values.put(f[0], f[1]);
      }
    }
    return values;
  }

  private static String metrics(VineyarddProcess server) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return r.body();
  }
}
