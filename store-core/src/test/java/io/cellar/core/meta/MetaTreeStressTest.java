package io.cellar.core.meta;

import static io.cellar.core.meta.MetaFixture.object;
import static io.cellar.core.meta.MetaFixture.ref;
import static io.cellar.core.meta.MetaFixture.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellar.protocol.ObjectIds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Several threads create, read, list, name and delete at once; at the end every blob has been freed
 * exactly once and the tree holds exactly the objects the threads believe alive.
 */
class MetaTreeStressTest {
  private static final int WORKERS = 4;
  private static final int ROUNDS = 3_000;

  private final MetaFixture f = new MetaFixture();
  private final Map<Long, AtomicInteger> freed = new ConcurrentHashMap<>();
  private final Map<Long, Boolean> allBlobs = new ConcurrentHashMap<>();

  private void free(DeleteResult r) {
    for (long blob : r.blobIds()) {
      freed.computeIfAbsent(blob, k -> new AtomicInteger()).incrementAndGet();
      f.blobs.sizes.remove(blob);
    }
  }

  private List<Long> work(int seed, CountDownLatch start) throws InterruptedException {
    Random random = new Random(seed);
    List<Long> live = new ArrayList<>();
    start.await();
    for (int i = 0; i < ROUNDS; i++) {
      long blob = f.blob(24);
      allBlobs.put(blob, true);
      long t = f.tree.create(tensor(blob)).id();
      live.add(t);
      if (random.nextInt(3) == 0) {
        long holder = f.tree.create(object("t::Holder", ref("t", t))).id();
        live.add(holder);
      }
      long probe = live.get(random.nextInt(live.size()));
      JsonNode got = f.tree.get(new long[] {probe}).get(ObjectIds.toText(probe));
      assertTrue(got != null && got.has("typename"), "a live object vanished");
      if (random.nextInt(50) == 0) {
        f.tree.persist(probe);
        f.tree.names().put("n" + seed + "-" + i, probe);
      }
      if (random.nextInt(100) == 0) {
        f.tree.list("vineyard::Tensor<*>", false, 5);
      }
      if (live.size() > 20 || random.nextBoolean()) {
        long victim = live.get(random.nextInt(live.size()));
        DeleteResult r =
            f.tree.delete(new long[] {victim}, random.nextBoolean(), random.nextBoolean()).result();
        for (long gone : r.objectIds()) {
          assertTrue(live.remove(gone), "deleted an object of another thread");
        }
        free(r);
      }
    }
    return live;
  }

  @Test
  void concurrentCreateGetDeleteKeepTheInvariants() throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<Long>>> results = new ArrayList<>();
    int alive = 0;
    try (ExecutorService pool = Executors.newFixedThreadPool(WORKERS)) {
      for (int w = 0; w < WORKERS; w++) {
        final int seed = w;
        results.add(pool.submit(() -> work(seed, start)));
      }
      start.countDown();
      for (Future<List<Long>> r : results) {
        List<Long> live = r.get();
        alive += live.size();
        for (long id : live) {
          assertTrue(f.tree.exists(id));
        }
      }
    }
    assertEquals(alive, f.tree.objectCount());
    for (AtomicInteger count : freed.values()) {
      assertEquals(1, count.get(), "a blob was freed twice");
    }
    DeleteResult rest = f.tree.clear().result();
    assertEquals(alive, rest.objectIds().length);
    free(rest);
    assertEquals(allBlobs.keySet(), freed.keySet());
    for (AtomicInteger count : freed.values()) {
      assertEquals(1, count.get(), "a blob was freed twice");
    }
    assertEquals(0, f.tree.objectCount());
    assertTrue(f.tree.names().list("*", false, Integer.MAX_VALUE).isEmpty());
    assertTrue(f.shared().objects().isEmpty());
    assertEquals(0, f.tree.pendingWaiters());
  }
}
