package io.cellar.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.core.meta.backend.MetaOp;
import io.cellar.testing.etcd.EtcdCluster;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The etcd leader of a three-member cluster dies during a commit loop: nothing lost or doubled. */
class LeaderFailoverIT {
  @RegisterExtension static final EtcdCluster ETCD = EtcdCluster.ofMembers(3);
  private static final int COMMITS = 400;

  @Test
  void killingTheLeaderDuringACommitLoopLosesAndDoublesNothing() throws Exception {
    try (Backends backends =
        new Backends(ETCD.endpoints())
            .with("meta_timeout", "10")
            // the default TTL: a failover can take seconds ("request timed out, possibly due to
            // previous leader failure"); a 3 s lease may expire in it, and the instance then
            // registers again, which is right but not what this test is about
            .with("etcd_lease_ttl", "10")) {
      EtcdMetaBackend a = backends.open();
      EtcdMetaBackend b = backends.open();
      a.register(Backends.facts(0));
      b.register(Backends.facts(1));
      RecordingListener lb = new RecordingListener();
      b.watch(b.load().revision(), lb);

      EtcdMetaBackend c = backends.open();
      c.register(Backends.facts(2));
      CountDownLatch halfway = new CountDownLatch(COMMITS / 4);
      List<Long> revisions = Collections.synchronizedList(new ArrayList<>());
      List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
      // two committing instances, so that the leader dies with transactions in flight
      CompletableFuture<Void> loop =
          CompletableFuture.runAsync(
              () -> {
                for (int i = 0; i < COMMITS; i++) {
                  try {
                    revisions.add(a.commit(List.of(new MetaOp.PutName("k" + i, i))).get());
                  } catch (Exception e) {
                    failures.add(e);
                  }
                  halfway.countDown();
                }
              });
      CompletableFuture<Void> other =
          CompletableFuture.runAsync(
              () -> {
                for (int i = 0; i < COMMITS; i++) {
                  try {
                    c.commit(List.of(new MetaOp.PutName("c" + i, i))).get();
                  } catch (Exception e) {
                    failures.add(e);
                  }
                }
              });
      assertTrue(halfway.await(60, TimeUnit.SECONDS));
      int leader = ETCD.leaderIndex();
      ETCD.kill(leader);
      long killedAt = System.nanoTime();
      loop.get(120, TimeUnit.SECONDS);
      other.get(120, TimeUnit.SECONDS);
      System.out.printf(
          "leader m%d killed after %d commits; loop done %.2f s later; failures %d%n",
          leader, COMMITS / 4, (System.nanoTime() - killedAt) / 1e9, failures.size());
      assertEquals(List.of(), failures, "every commit succeeded (retried across the election)");

      b.sync().get(30, TimeUnit.SECONDS);
      Map<String, Integer> deliveries = new HashMap<>();
      for (MetaOp op : lb.ops()) {
        deliveries.merge(((MetaOp.PutName) op).name(), 1, Integer::sum);
      }
      Map<String, EtcdKeys.Kv> names = EtcdKeys.under(ETCD, backends.root() + "/names/");
      assertEquals(2 * COMMITS, names.size(), "every committed name is in etcd");
      for (String p : List.of("k", "c")) {
        for (int i = 0; i < COMMITS; i++) {
          assertEquals(1, deliveries.getOrDefault(p + i, 0), p + i + " delivered once");
          assertEquals(Integer.toString(i), names.get(backends.root() + "/names/" + p + i).value());
        }
      }
      List<Long> sorted = new ArrayList<>(revisions);
      Collections.sort(sorted);
      assertEquals(sorted, revisions, "commits landed in call order");
      ETCD.restart(leader);
      b.sync().get(30, TimeUnit.SECONDS);
      assertTrue(lb.losses().isEmpty(), "no instance lost: " + lb.losses());
    }
  }
}
