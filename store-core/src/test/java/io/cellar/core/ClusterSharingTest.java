package io.cellar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.cellar.core.config.StoreConfig;
import io.cellar.core.meta.backend.InstanceFacts;
import io.cellar.core.meta.backend.MetaOp;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectCreated;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.Payload;
import io.cellar.protocol.StatusCode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two stores in one JVM share metadata through an {@link InMemoryCluster}, as two vineyardd share
 * it through etcd: what one persists, names or deletes the other sees; transient objects stay home;
 * a lost instance's objects go; a reset is healed by republishing; bad input is skipped.
 */
class ClusterSharingTest {
  private static final long MIB = 1L << 20;
  private static final long WAIT = 10;

  @RegisterExtension final StoreLeakCheck stores = new StoreLeakCheck();

  private final InMemoryCluster cluster = new InMemoryCluster();
  private final List<Long> owners = new ArrayList<>();
  private Store a;
  private Store b;

  @BeforeEach
  void openTwo() {
    a = open();
    b = open();
    assertEquals(0, a.instanceId(), "the instance id comes from the registration");
    assertEquals(1, b.instanceId());
  }

  @AfterEach
  void closeOwners() {
    for (Store s : List.of(a, b)) {
      owners.forEach(s::closeOwner);
    }
  }

  private Store open() {
    return stores.open(StoreConfig.ofLimit(16 * MIB), cluster.backend(), InstanceFacts.NONE);
  }

  private long owner(Store s) {
    long o = s.openOwner();
    owners.add(o);
    return o;
  }

  /** Waits until every change committed so far has reached a store. */
  private static void synced(Store s) throws Exception {
    s.syncRemote().get(WAIT, TimeUnit.SECONDS);
  }

  /** A sealed blob of n bytes under a tensor-like object, as a client of the store puts it. */
  private static ObjectCreated putTensor(Store s, long owner, int n) {
    Payload p = s.createBlob(owner, n);
    s.seal(owner, p.objectId());
    ObjectNode meta = JsonNodeFactory.instance.objectNode();
    meta.put("typename", "vineyard::Tensor<int8>").put("instance_id", s.instanceId());
    meta.put("nbytes", n).put("shape_", "[" + n + "]");
    ObjectNode blob = meta.putObject("buffer_");
    blob.put("id", ObjectIds.toText(p.objectId())).put("typename", "vineyard::Blob");
    blob.put("length", n).put("nbytes", n).put("instance_id", s.instanceId());
    blob.put("transient", true);
    return s.createData(meta);
  }

  private static JsonNode tree(Store s, long id) {
    return s.getData(new long[] {id}).get(ObjectIds.toText(id));
  }

  private static long blobOf(JsonNode tree) {
    return ObjectIds.parseText(tree.get("buffer_").get("id").textValue());
  }

  @Test
  void persistOnAIsSeenOnBWithAsInstanceIdAndItsBlobsAsRemote() throws Exception {
    long writer = owner(a);
    ObjectCreated t = putTensor(a, writer, 4096);
    long blob = blobOf(tree(a, t.id()));
    a.persist(t.id()).get(WAIT, TimeUnit.SECONDS);
    synced(b);

    JsonNode seen = tree(b, t.id());
    assertEquals("vineyard::Tensor<int8>", seen.get("typename").textValue());
    assertEquals(0, seen.get("instance_id").longValue(), "A's object, with A's instance id");
    assertFalse(seen.get("transient").booleanValue());
    assertEquals("[4096]", seen.get("shape_").textValue(), "values decoded from the v prefix");
    JsonNode member = seen.get("buffer_");
    assertEquals(ObjectIds.toText(blob), member.get("id").textValue());
    assertEquals(0, member.get("instance_id").longValue(), "a blob of instance 0");
    assertEquals(0, member.get("length").longValue());
    assertTrue(b.isPersisted(t.id()));
    assertFalse(b.exists(blob), "a remote blob has no memory here");
    long reader = owner(b);
    assertTrue(b.getBlobs(reader, new long[] {blob}, false).isEmpty());
    assertEquals(1, b.listData("vineyard::Tensor<*>", false, 10).size());
    assertEquals(0, b.status().memoryUsage());

    Store c = open(); // a later instance learns it from the snapshot
    assertEquals(0, tree(c, t.id()).get("instance_id").longValue());
  }

  @Test
  void transientObjectsAndTheirChangesNeverLeaveTheirInstance() throws Exception {
    long writer = owner(a);
    ObjectCreated t = putTensor(a, writer, 64);
    a.label(t.id(), List.of("k"), List.of("v")).get(WAIT, TimeUnit.SECONDS);
    long copy = a.shallowCopy(t.id(), null).get(WAIT, TimeUnit.SECONDS);
    assertEquals(0, cluster.revision(), "nothing was committed");
    synced(b);
    assertFalse(b.exists(t.id()));
    assertFalse(b.exists(copy));
    a.delete(writer, new long[] {t.id(), copy}, false, true, false).get(WAIT, TimeUnit.SECONDS);
    assertEquals(0, cluster.revision(), "nor was their deletion");
  }

  @Test
  void namesGoAcrossAndAWaitOnBIsAnsweredByAsPut() throws Exception {
    CompletableFuture<Long> waiting = b.awaitName("shared");
    long writer = owner(a);
    ObjectCreated t = putTensor(a, writer, 64);
    a.persist(t.id()).get(WAIT, TimeUnit.SECONDS);
    a.putName("shared", t.id()).get(WAIT, TimeUnit.SECONDS);
    assertEquals(t.id(), waiting.get(WAIT, TimeUnit.SECONDS));
    synced(b);
    assertEquals(t.id(), b.getName("shared"));
    assertEquals("shared", tree(b, t.id()).get("__name").textValue());

    a.dropName("shared").get(WAIT, TimeUnit.SECONDS);
    synced(b);
    assertEquals(
        StatusCode.OBJECT_NOT_EXISTS,
        assertThrows(CellarException.class, () -> b.getName("shared")).status());
    assertFalse(tree(b, t.id()).has("__name"));
  }

  @Test
  void labelsAndPersistedCopiesGoAcross() throws Exception {
    long writer = owner(a);
    ObjectCreated t = putTensor(a, writer, 64);
    a.persist(t.id()).get(WAIT, TimeUnit.SECONDS);
    a.label(t.id(), List.of("stage"), List.of("train")).get(WAIT, TimeUnit.SECONDS);
    long copy = a.shallowCopy(t.id(), null).get(WAIT, TimeUnit.SECONDS);
    synced(b);
    assertEquals("{\"stage\":\"train\"}", tree(b, t.id()).get("__labels").textValue());
    assertTrue(b.isPersisted(copy));
  }

  @Test
  void deleteOnAIsSeenOnBAndADeleteOnBFreesAsMemory() throws Exception {
    long writer = owner(a);
    ObjectCreated first = putTensor(a, writer, 4096);
    ObjectCreated second = putTensor(a, writer, 4096);
    long secondBlob = blobOf(tree(a, second.id()));
    a.persist(first.id()).get(WAIT, TimeUnit.SECONDS);
    a.persist(second.id()).get(WAIT, TimeUnit.SECONDS);
    a.putName("first", first.id()).get(WAIT, TimeUnit.SECONDS);
    synced(b);
    assertTrue(b.exists(first.id()));

    a.delete(writer, new long[] {first.id()}, false, true, false).get(WAIT, TimeUnit.SECONDS);
    synced(b);
    assertFalse(b.exists(first.id()));
    assertThrows(CellarException.class, () -> b.getName("first"));

    long deleter = owner(b);
    long[] freedOnB =
        b.delete(deleter, new long[] {second.id()}, false, true, false).get(WAIT, TimeUnit.SECONDS);
    assertEquals(0, freedOnB.length, "B holds no memory of A's blob");
    synced(a);
    assertFalse(a.exists(second.id()), "B's delete of A's object reached A");
    assertFalse(a.exists(secondBlob), "and A deleted the blob it held");
    a.closeOwner(writer);
    assertEquals(0, a.status().memoryUsage(), "A's memory is back once its writer is gone");
  }

  @Test
  void aGlobalObjectsMemberWithAMigratedCopyIsDeletedAndTheCopyTakesItsPlaceOnBothInstances()
      throws Exception {
    long writerA = owner(a);
    long writerB = owner(b);
    ObjectCreated onA = putTensor(a, writerA, 64);
    ObjectCreated onB = putTensor(b, writerB, 64);
    a.persist(onA.id()).get(WAIT, TimeUnit.SECONDS);
    b.persist(onB.id()).get(WAIT, TimeUnit.SECONDS);
    synced(a);
    ObjectNode sequence = JsonNodeFactory.instance.objectNode();
    sequence.put("typename", "vineyard::Sequence").put("global", true).put("size_", 2);
    sequence.put("instance_id", a.instanceId());
    sequence.set("__elements_-0", tree(a, onA.id()));
    sequence.set("__elements_-1", tree(a, onB.id()));
    sequence.put("__elements_-size", 2);
    ObjectCreated global = a.createData(sequence);
    a.persist(global.id()).get(WAIT, TimeUnit.SECONDS);
    // what a migration of B's tensor to A makes: the same tree (and signature) on A's own blob
    Payload moved = a.createBlob(writerA, 64);
    a.seal(writerA, moved.objectId());
    ObjectNode copy = tree(b, onB.id()).deepCopy();
    copy.remove("id");
    copy.put("transient", true);
    copy.put("instance_id", a.instanceId());
    ((ObjectNode) copy.get("buffer_"))
        .put("id", ObjectIds.toText(moved.objectId()))
        .put("instance_id", a.instanceId());
    ObjectCreated migrated = a.createData(copy);
    assertEquals(onB.signature(), migrated.signature(), "an equivalent: the same signature");
    a.persist(migrated.id()).get(WAIT, TimeUnit.SECONDS);
    synced(b);
    assertEquals(64, b.status().memoryUsage());

    // deep, not forced: still a member of the global object, but it has an equivalent
    a.delete(writerA, new long[] {onB.id()}, false, true, false).get(WAIT, TimeUnit.SECONDS);
    synced(b);
    for (Store s : List.of(a, b)) {
      assertFalse(s.exists(onB.id()), "deleted on i" + s.instanceId());
      assertTrue(s.exists(global.id()), "the global object stays on i" + s.instanceId());
      assertTrue(s.exists(migrated.id()));
      assertEquals(
          ObjectIds.toText(migrated.id()),
          tree(s, global.id()).get("__elements_-1").get("id").textValue(),
          "the copy is the global object's member now on i" + s.instanceId());
    }
    assertEquals(0, b.status().memoryUsage(), "B freed the blob of its deleted tensor");

    // the copy has no equivalent left and the global object refers to it: it stays
    b.delete(owner(b), new long[] {migrated.id()}, false, true, false).get(WAIT, TimeUnit.SECONDS);
    synced(a);
    assertTrue(a.exists(migrated.id()));
    assertTrue(b.exists(migrated.id()));
  }

  @Test
  void aLostInstancesObjectsAndNamesAreDroppedButAnInstanceStartingLaterLoadsThem()
      throws Exception {
    long writer = owner(a);
    ObjectCreated t = putTensor(a, writer, 64);
    a.persist(t.id()).get(WAIT, TimeUnit.SECONDS);
    a.putName("from-a", t.id()).get(WAIT, TimeUnit.SECONDS);
    long local = owner(b);
    ObjectCreated mine = putTensor(b, local, 64);
    b.persist(mine.id()).get(WAIT, TimeUnit.SECONDS);
    synced(b);
    assertTrue(b.exists(t.id()));

    cluster.kill(a.instanceId());
    synced(b);
    assertFalse(b.exists(t.id()), "A's objects went with A");
    assertThrows(CellarException.class, () -> b.getName("from-a"));
    assertTrue(b.exists(mine.id()), "B's own objects stay");
    assertTrue(a.exists(t.id()), "A itself keeps its objects");

    // the metadata stays in the backend: an instance that starts now loads it, as the reference's
    // does (upstream test_vineyardd_failure: names and metadata survive their instance)
    Store c = open();
    assertEquals(t.id(), c.getName("from-a"));
    assertTrue(c.exists(t.id()));
    assertEquals(a.instanceId(), tree(c, t.id()).get("instance_id").asLong());
  }

  @Test
  void aResetIsHealedByRepublishing() throws Exception {
    long writer = owner(a);
    ObjectCreated t = putTensor(a, writer, 64);
    ObjectCreated transientOne = putTensor(a, writer, 64);
    a.persist(t.id()).get(WAIT, TimeUnit.SECONDS);
    a.putName("kept", t.id()).get(WAIT, TimeUnit.SECONDS);
    synced(b);

    cluster.reset(); // empties the shared state; A may republish at once (deliveries are async),
    // so the state is not read here: what matters is what A puts back
    synced(a); // A has heard of the reset and committed its objects again
    a.syncRemote().get(WAIT, TimeUnit.SECONDS);
    assertTrue(cluster.objects().containsKey(t.id()), "A shared its object again");
    assertFalse(cluster.objects().containsKey(transientOne.id()), "but not a transient one");
    assertEquals(t.id(), cluster.names().get("kept"));

    Store c = open();
    assertEquals(t.id(), c.getName("kept"), "a new instance finds it again");
    assertEquals(0, tree(c, t.id()).get("instance_id").longValue());
    synced(b);
    assertTrue(b.exists(t.id()), "B saw it come back, as a replacement of what it had");
  }

  @Test
  void malformedChangesAreSkippedAndTheRestIsApplied() throws Exception {
    long good = 0x0000_1234_5678_0001L;
    ObjectNode valid = encoded("vt::Good", 0);
    ObjectNode truncated = JsonNodeFactory.instance.objectNode().put("typename", "vt::Cut");
    ObjectNode garbage = JsonNodeFactory.instance.objectNode().put("x", "not encoded");
    ObjectNode dangling = encoded("vt::Holder", 0).put("m", "l" + ObjectIds.toText(77) + ".t::T");
    ObjectNode strangerInstance = encoded("vt::Stranger", 42);
    ObjectNode badBlob =
        encoded("vt::B", 0).put("b", "l" + ObjectIds.toText(ObjectIds.BLOB_BIT | 9) + ".vineyard");
    List<MetaOp> ops = new ArrayList<>();
    ops.add(new MetaOp.PutObject(good, valid));
    ops.add(new MetaOp.PutObject(good + 1, truncated));
    ops.add(new MetaOp.PutObject(good + 2, garbage));
    ops.add(new MetaOp.PutObject(good + 3, dangling));
    ops.add(new MetaOp.PutObject(good + 4, strangerInstance));
    ops.add(new MetaOp.PutObject(good + 5, badBlob));
    ops.add(new MetaOp.PutObject(ObjectIds.BLOB_BIT | 5, valid));
    ops.add(new MetaOp.PutName("dangling", 999));
    ops.add(new MetaOp.PutName("good", good));
    ops.add(new MetaOp.PutSignature(42, 1, good));
    ops.add(new MetaOp.DeleteObject(888));
    ops.add(null);
    cluster.inject(ops);
    cluster.inject(null);
    cluster.injectLoss(42);
    synced(b);

    assertEquals(1, b.status().objects(), "only the valid object went in");
    assertEquals("t::Good", tree(b, good).get("typename").textValue());
    assertEquals(good, b.getName("good"));
    assertThrows(CellarException.class, () -> b.getName("dangling"));
    for (long id = good + 1; id <= good + 5; id++) {
      assertFalse(b.exists(id), ObjectIds.toText(id));
    }
    assertEquals(1, b.listData("*", false, 100).size(), "the tree reads cleanly");

    // the watch goes on: a later good change still arrives
    long writer = owner(a);
    ObjectCreated t = putTensor(a, writer, 64);
    a.persist(t.id()).get(WAIT, TimeUnit.SECONDS);
    synced(b);
    assertTrue(b.exists(t.id()));
  }

  @Test
  void aHolderAndItsMemberInOneBatchArriveTogetherInAnyOrder() throws Exception {
    long member = 0x0000_1234_5678_0010L;
    long holder = member + 1;
    ObjectNode holderTree =
        encoded("vt::Holder", 0).put("m", "l" + ObjectIds.toText(member) + ".t::Member");
    cluster.inject(
        List.of(
            new MetaOp.PutObject(holder, holderTree),
            new MetaOp.PutObject(member, encoded("vt::Member", 0))));
    synced(b);
    assertEquals("t::Member", tree(b, holder).get("m").get("typename").textValue());
  }

  @Test
  void aFailedCommitKeepsTheLocalChangeWithAClearErrorAndTheNextPersistSharesIt() throws Exception {
    long writer = owner(a);
    ObjectCreated t = putTensor(a, writer, 64);
    cluster.failCommits(true);
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> a.persist(t.id()).get(WAIT, TimeUnit.SECONDS));
    CellarException cause = (CellarException) e.getCause();
    assertEquals(StatusCode.IO_ERROR, cause.status());
    assertTrue(cause.getMessage().contains("not shared with the cluster"), cause.getMessage());
    assertTrue(a.isPersisted(t.id()), "the change stays here");
    assertTrue(tree(a, t.id()).has("signature"), "and the tree is whole");

    cluster.failCommits(false);
    a.persist(t.id()).get(WAIT, TimeUnit.SECONDS);
    synced(b);
    assertTrue(b.exists(t.id()), "persisting again shared it");
    a.persist(t.id()).get(WAIT, TimeUnit.SECONDS);
    long revision = cluster.revision();
    a.persist(t.id()).get(WAIT, TimeUnit.SECONDS);
    assertEquals(revision, cluster.revision(), "once shared, persisting again commits nothing");
  }

  @Test
  void commitsReachTheClusterInTheOrderTheChangesWereMade() throws Exception {
    long writer = owner(a);
    ObjectCreated x = putTensor(a, writer, 64);
    ObjectCreated y = putTensor(a, writer, 64);
    a.persist(x.id());
    a.persist(y.id());
    List<CompletableFuture<Void>> moves = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      moves.add(a.putName("moving", i % 2 == 0 ? x.id() : y.id()));
    }
    CompletableFuture.allOf(moves.toArray(CompletableFuture[]::new)).get(WAIT, TimeUnit.SECONDS);
    assertEquals(y.id(), cluster.names().get("moving"), "the last move wins everywhere");
    synced(b);
    assertEquals(y.id(), b.getName("moving"));
    assertNotEquals(x.id(), b.getName("moving"));
  }

  /** An object as another instance would have persisted it. */
  private static ObjectNode encoded(String typename, long instance) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.set("typename", TextNode.valueOf(typename));
    o.put("instance_id", instance).put("signature", 5).put("transient", false).put("nbytes", 0);
    return o;
  }
}
