package io.cellar.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.core.meta.backend.MetaOp;
import io.cellar.protocol.CellarException;
import io.cellar.testing.etcd.EtcdCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** etcd going away: commits fail in time and work again after; data loss makes instances reset. */
class EtcdOutageIT {
  private static final Duration WAIT = Duration.ofSeconds(15);

  private EtcdCluster etcd;
  private Backends backends;
  private EtcdMetaBackend a;
  private EtcdMetaBackend b;
  private RecordingListener la;
  private RecordingListener lb;

  @BeforeEach
  void start() {
    etcd = EtcdCluster.single().start();
    // a TTL above gRPC's reconnect backoff after a few seconds' outage (about 3 s here): the
    // lease survives a restart with data; with a shorter one the instance re-registers, also fine
    backends =
        new Backends(etcd.endpoints()).with("meta_timeout", "3").with("etcd_lease_ttl", "10");
    a = backends.open();
    b = backends.open();
    a.register(Backends.facts(0));
    b.register(Backends.facts(1));
    la = new RecordingListener();
    lb = new RecordingListener();
    a.watch(a.load().revision(), la);
    b.watch(b.load().revision(), lb);
  }

  @AfterEach
  void stop() {
    backends.close();
    etcd.close();
  }

  @Test
  void whileEtcdIsDownCommitsFailWithinTheTimeoutAndWorkAgainAfter() throws Exception {
    List<MetaOp> before = List.of(new MetaOp.PutName("before", 1));
    a.commit(before).get();
    lb.awaitOps(before, WAIT);

    etcd.kill(0);
    long start = System.nanoTime();
    ExecutionException failed =
        assertThrows(
            ExecutionException.class, () -> a.commit(List.of(new MetaOp.PutName("down", 2))).get());
    double seconds = (System.nanoTime() - start) / 1e9;
    CellarException cause = assertInstanceOf(CellarException.class, failed.getCause());
    assertTrue(seconds < 3 + 1.5, "failed after " + seconds + " s (meta_timeout 3 s)");
    assertTrue(cause.getMessage().contains("etcd"), cause.getMessage());
    System.out.printf(
        "commit with etcd down failed after %.2f s: %s%n", seconds, cause.getMessage());
    ExecutionException syncFailed = assertThrows(ExecutionException.class, () -> b.sync().get());
    assertInstanceOf(CellarException.class, syncFailed.getCause());

    etcd.restart(0);
    long restarted = System.nanoTime();
    List<MetaOp> after = List.of(new MetaOp.PutName("after", 3));
    syncUntilItSucceeds(a, Duration.ofSeconds(30));
    System.out.printf(
        "etcd reached again %.2f s after its restart%n", (System.nanoTime() - restarted) / 1e9);
    a.commit(after).get();
    lb.awaitOps(after, WAIT);
    b.sync().get();
    assertEquals(
        List.of(before.get(0), after.get(0)),
        lb.ops(),
        "no gap, no duplicate, and the failed commit was not applied later");
    assertEquals(Map.of(), EtcdKeys.under(etcd, backends.root() + "/names/down"));
    assertTrue(la.resets().isEmpty() && lb.resets().isEmpty(), "a restart with data is no reset");
    assertTrue(la.losses().isEmpty() && lb.losses().isEmpty(), "nobody was lost");
  }

  /**
   * Waits until the backend reaches etcd again: syncs (reads) until one succeeds; right after etcd
   * returns the client's connection may still be in gRPC's reconnect backoff, and each attempt
   * fails within meta_timeout.
   */
  private static void syncUntilItSucceeds(EtcdMetaBackend backend, Duration bound)
      throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      try {
        backend.sync().get();
        return;
      } catch (ExecutionException e) {
        assertInstanceOf(CellarException.class, e.getCause());
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }

  @ParameterizedTest(name = "new cluster token: {0}")
  @ValueSource(booleans = {false, true})
  void whenEtcdLosesItsDataEveryInstanceRegistersAgainAndIsReset(boolean newToken)
      throws Exception {
    long id = 0x77;
    List<MetaOp> published =
        List.of(
            new MetaOp.PutObject(id, ReplicationIT.tensor(id, 0, 0x78)),
            new MetaOp.PutName("kept", id));
    a.commit(published).get();
    lb.awaitOps(published, WAIT);

    etcd.wipe(newToken ? "cellar-test-wiped" : null);
    la.await("reset of a", WAIT, calls -> !la.resets().isEmpty());
    lb.await("reset of b", WAIT, calls -> !lb.resets().isEmpty());
    assertEquals(0, la.resets().get(0).registration().instanceId(), "a keeps its id");
    assertEquals(1, lb.resets().get(0).registration().instanceId(), "b keeps its id");
    assertTrue(la.resets().get(0).registration().alive());

    Map<String, EtcdKeys.Kv> keys = EtcdKeys.under(etcd, backends.root() + "/");
    assertEquals(1, keys.keySet().stream().filter(k -> k.endsWith("/instances/i0/hostid")).count());
    assertEquals(1, keys.keySet().stream().filter(k -> k.endsWith("/instances/i1/hostid")).count());
    assertEquals("2", keys.get(backends.root() + "/next_instance_id").value());

    // the owner publishes again on reset; the other instance sees it
    a.commit(published).get();
    lb.await(
        "republished ops",
        WAIT,
        calls -> lb.ops().lastIndexOf(published.get(1)) > lb.ops().indexOf(published.get(1)));
    b.sync().get();
    assertTrue(la.losses().isEmpty() || la.losses().stream().allMatch(l -> l.instanceId() != 0));
  }
}
