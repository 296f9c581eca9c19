package io.cellar.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.meta.backend.MetaOp;
import io.cellar.testing.etcd.EtcdCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Commits of one instance reach the others through the watch, in order, one call per revision. */
class ReplicationIT {
  @RegisterExtension static final EtcdCluster ETCD = EtcdCluster.single();
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String WATCH_THREAD_PREFIX = "vert.x-eventloop-thread-";

  private Backends backends;
  private EtcdMetaBackend a;
  private EtcdMetaBackend b;
  private RecordingListener la;
  private RecordingListener lb;

  @BeforeEach
  void twoInstances() {
    backends = new Backends(ETCD.endpoints());
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
  void close() {
    backends.close();
  }

  static ObjectNode tensor(long id, long instance, long signature) throws Exception {
    return (ObjectNode)
        JSON.readTree(
            "{\"__timestamp\":1796168780800,\"buffer_\":\"loe88d002300000000.vineyard::Blob@"
                + instance
                + "\",\"global\":false,\"instance_id\":"
                + instance
                + ",\"nbytes\":80,\"order_\":\"v\\\"C\\\"\",\"shape_\":\"v[10]\",\"signature\":"
                + Long.toUnsignedString(signature)
                + ",\"transient\":false,\"typename\":\"vvineyard::Tensor<int64>\"}");
  }

  @Test
  void aCommitReachesTheOtherInstanceOnlyInOneCallAtItsRevision() throws Exception {
    long id = 0x688d002300000002L;
    long sig = 0x688d002300000001L;
    List<MetaOp> ops =
        List.of(
            new MetaOp.PutObject(id, tensor(id, 0, sig)),
            new MetaOp.PutSignature(0, sig, id),
            new MetaOp.PutName("a/b~c", id));
    long revision = a.commit(ops).get();
    lb.awaitOps(ops, WAIT);
    assertDeliveredOnTheWatchThread(revision, ops, lb.changes());
    a.sync().get();
    assertTrue(
        la.changes().isEmpty(), "the committer does not see its own commit: " + la.changes());

    Map<String, EtcdKeys.Kv> keys = EtcdKeys.under(ETCD, backends.root() + "/");
    String root = backends.root();
    assertEquals(
        JSON.writeValueAsString(tensor(id, 0, sig)),
        keys.get(root + "/data/o688d002300000002").value(),
        "the object JSON exactly as the op carries it");
    assertEquals(Long.toString(id), keys.get(root + "/names/a~1b~0c").value());
    assertEquals("\"va~1b~0c\"", keys.get(root + "/data/o688d002300000002/__name").value());
    assertEquals(
        "\"o688d002300000002\"", keys.get(root + "/signatures/i0/s688d002300000001").value());

    // and the other way round, a second commit at a later revision
    List<MetaOp> more = List.of(new MetaOp.PutName("second", id));
    long later = b.commit(more).get();
    assertTrue(later > revision);
    la.awaitOps(more, WAIT);
    assertDeliveredOnTheWatchThread(later, more, la.changes());
  }

  /**
   * One call with the revision's ops, made on the thread jetcd delivered the watch response on (a
   * vert.x event loop): the change is applied where it arrives, with no hand-off to the backend
   * thread ({@code cellar-etcd}), whose wake-up was the tail of the time until it is visible.
   */
  private static void assertDeliveredOnTheWatchThread(
      long revision, List<MetaOp> ops, List<RecordingListener.Changes> changes) {
    assertEquals(1, changes.size(), changes.toString());
    RecordingListener.Changes only = changes.get(0);
    assertEquals(revision, only.revision());
    assertEquals(ops, only.ops());
    assertTrue(only.thread().startsWith(WATCH_THREAD_PREFIX), "delivered on " + only.thread());
  }

  @Test
  void aBatchOfMoreThan127OpsIsSplitInOrderIntoConsecutiveRevisions() throws Exception {
    List<MetaOp> ops = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      ops.add(new MetaOp.PutSignature(0, 0x1000 + i, 0x2000 + i));
    }
    long last = a.commit(ops).get();
    lb.awaitOps(ops, WAIT);
    List<RecordingListener.Changes> changes = lb.changes();
    assertEquals(List.of(127, 127, 46), changes.stream().map(c -> c.ops().size()).toList());
    assertEquals(
        List.of(last - 2, last - 1, last), changes.stream().map(c -> c.revision()).toList());
    assertEquals(ops, lb.ops(), "in commit order");
  }

  @Test
  void dropNameAndDeleteObjectRemoveEveryKeyTheyWrote() throws Exception {
    long id = 0x10L;
    long sig = 0x20L;
    a.commit(
            List.of(
                new MetaOp.PutObject(id, tensor(id, 0, sig)),
                new MetaOp.PutSignature(0, sig, id),
                new MetaOp.PutName("x/y", id)))
        .get();
    List<MetaOp> drops = List.of(new MetaOp.DropName("x/y"), new MetaOp.DeleteObject(id));
    a.commit(drops).get();
    lb.awaitOps(drops, WAIT);
    assertEquals(
        Map.of(), EtcdKeys.under(ETCD, backends.root() + "/data/"), "object and __name gone");
    assertEquals(Map.of(), EtcdKeys.under(ETCD, backends.root() + "/names/"));
    assertEquals(Map.of(), EtcdKeys.under(ETCD, backends.root() + "/signatures/"));
  }

  @Test
  void garbageUnderThePrefixIsSkippedAndTheWatchGoesOn() throws Exception {
    String root = backends.root();
    ETCD.etcdctl("put", root + "/data/o00000000000000ff", "{\"typename\":\"vx\",\"nbytes\":");
    ETCD.etcdctl("put", root + "/data/o00000000000000fe", "not json at all");
    ETCD.etcdctl("put", root + "/data/zzz", "{}");
    ETCD.etcdctl("put", root + "/some/unknown/key", "1");
    ETCD.etcdctl("put", root + "/names/n1", "\"not a number\"");
    ETCD.etcdctl("put", root + "/instances/iabc/hostid", "1");
    ETCD.etcdctl("put", root + "/instances/i77/hostid", "\"not a number\"");
    ETCD.etcdctl("put", root + "/signatures/i0/bad", "\"o01\"");
    ETCD.etcdctl("put", "/somebody-else/key", "whatever");
    List<MetaOp> good = List.of(new MetaOp.PutName("good", 0x42));
    a.commit(good).get();
    lb.awaitOps(good, WAIT);
    assertEquals(good, lb.ops(), "only the good change is delivered");
    assertTrue(lb.losses().isEmpty());
    assertFalse(b.instances().stream().anyMatch(r -> r.instanceId() == 77));

    // a fresh instance loads past the same garbage
    EtcdMetaBackend c = backends.open();
    c.register(Backends.facts(2));
    var snapshot = c.load();
    assertEquals(Map.of("good", 0x42L), snapshot.names());
    assertTrue(snapshot.objects().isEmpty());
  }

  @Test
  void syncCompletesOnceEverythingCommittedBeforeItIsDelivered() throws Exception {
    List<MetaOp> ops = List.of(new MetaOp.PutName("s1", 1), new MetaOp.PutName("s2", 2));
    long revision = a.commit(ops).get();
    long reached = b.sync().get();
    assertTrue(reached >= revision);
    assertTrue(lb.ops().containsAll(ops), "delivered before sync completed: " + lb.ops());
  }

  @Test
  void concurrentCommitLoopsOnBothSidesEachSeeOnlyTheOthersInRevisionOrder() throws Exception {
    int n = 150;
    var loopA =
        java.util.concurrent.CompletableFuture.runAsync(
            () -> {
              for (int i = 0; i < n; i++) {
                a.commit(List.of(new MetaOp.PutName("a" + i, i))).join();
              }
            });
    var loopB =
        java.util.concurrent.CompletableFuture.runAsync(
            () -> {
              List<java.util.concurrent.CompletableFuture<Long>> pending = new ArrayList<>();
              for (int i = 0; i < n; i++) {
                pending.add(b.commit(List.of(new MetaOp.PutName("b" + i, i)))); // pipelined
              }
              pending.forEach(java.util.concurrent.CompletableFuture::join);
            });
    loopA.get();
    loopB.get();
    a.sync().get();
    b.sync().get();
    List<String> seenByA = la.ops().stream().map(op -> ((MetaOp.PutName) op).name()).toList();
    List<String> seenByB = lb.ops().stream().map(op -> ((MetaOp.PutName) op).name()).toList();
    List<String> expectA = new ArrayList<>();
    List<String> expectB = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      expectA.add("b" + i);
      expectB.add("a" + i);
    }
    assertEquals(expectA, seenByA, "a sees exactly b's commits, in order, once each");
    assertEquals(expectB, seenByB, "b sees exactly a's commits, in order, once each");
    for (RecordingListener l : List.of(la, lb)) {
      List<Long> revisions = l.changes().stream().map(RecordingListener.Changes::revision).toList();
      assertEquals(
          revisions.stream().sorted().distinct().toList(), revisions, "ascending, one call each");
    }
  }

  @Test
  void aWatchFromACompactedRevisionReloadsAndDeliversTheDifference() throws Exception {
    a.commit(List.of(new MetaOp.PutName("old", 1))).get();
    EtcdMetaBackend c = backends.open();
    c.register(Backends.facts(2));
    var snapshot = c.load();
    assertEquals(Map.of("old", 1L), snapshot.names());
    a.commit(List.of(new MetaOp.PutName("mid", 3))).get();
    long last = a.commit(List.of(new MetaOp.DropName("old"), new MetaOp.PutName("new", 2))).get();
    ETCD.etcdctl("compact", Long.toString(last));
    RecordingListener lc = new RecordingListener();
    c.watch(snapshot.revision(), lc);
    List<MetaOp> difference =
        List.of(
            new MetaOp.DropName("old"), new MetaOp.PutName("mid", 3), new MetaOp.PutName("new", 2));
    lc.awaitOps(difference, WAIT);
    assertEquals(1, lc.changes().size(), "one call: " + lc.changes());
    assertEquals(
        new java.util.HashSet<>(difference), new java.util.HashSet<>(lc.changes().get(0).ops()));
    assertTrue(lc.changes().get(0).revision() >= last);
    List<MetaOp> after = List.of(new MetaOp.PutName("after", 4));
    a.commit(after).get();
    lc.awaitOps(after, WAIT);
    assertEquals(2, lc.changes().size(), "and the watch goes on");
  }

  @Test
  void userLocksExcludeEachOtherAndOnlyTheHolderReleases() {
    assertEquals("/jobs/1", a.tryLock("/jobs/1"));
    assertEquals(null, b.tryLock("/jobs/1"));
    assertFalse(b.unlock("/jobs/1"), "not b's");
    assertTrue(a.unlock("/jobs/1"));
    assertEquals("/jobs/1", b.tryLock("/jobs/1"));
    assertEquals(
        1, EtcdKeys.under(ETCD, backends.root() + "/user_locks/jobs/1").size(), "on b's lease");
  }

  @Test
  void commitLatencyOnALocalEtcd() throws Exception {
    int n = 500;
    long[] nanos = new long[n];
    for (int i = 0; i < 50; i++) {
      a.commit(List.of(new MetaOp.PutName("warm" + i, i))).get();
    }
    for (int i = 0; i < n; i++) {
      long start = System.nanoTime();
      a.commit(List.of(new MetaOp.PutName("lat" + i, i))).get();
      nanos[i] = System.nanoTime() - start;
    }
    java.util.Arrays.sort(nanos);
    System.out.printf(
        "commit of one PutName (2 keys) on a local etcd: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        nanos[n / 2] / 1e6, nanos[n * 99 / 100] / 1e6, nanos[n - 1] / 1e6);
    lb.awaitOps(List.of(new MetaOp.PutName("lat" + (n - 1), n - 1)), WAIT);
  }
}
