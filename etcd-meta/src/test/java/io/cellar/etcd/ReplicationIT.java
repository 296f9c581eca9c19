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
    assertEquals(
        List.of(new RecordingListener.Changes(revision, ops, "cellar-etcd")), lb.changes());
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
    assertEquals(List.of(new RecordingListener.Changes(later, more, "cellar-etcd")), la.changes());
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
}
