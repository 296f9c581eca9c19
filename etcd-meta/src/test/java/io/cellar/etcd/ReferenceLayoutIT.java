package io.cellar.etcd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.meta.backend.MetaOp;
import io.cellar.core.meta.backend.MetaSnapshot;
import io.cellar.testing.FreePorts;
import io.cellar.testing.etcd.EtcdCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The layout against the REAL reference: vineyardd 0.24.2 (the vineyard-bdist wheel) and a Cellar
 * backend share one etcd. Cellar registers beside it as instance 1 with the same key shapes and
 * value types; what the reference persists and names decodes into the ops Cellar would write (byte
 * for byte when encoded again); what Cellar writes, the reference's client reads; a live Cellar
 * outlives the reference's 3-heartbeat check; a killed reference is removed by Cellar.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReferenceLayoutIT {
  @RegisterExtension static final EtcdCluster ETCD = EtcdCluster.single();
  private static final String PREFIX = "/vineyard";
  private static final String ROOT = PREFIX + "/S0000000000000000";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern OID = Pattern.compile("o([0-9a-f]{16})");
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static ReferenceVineyard ref;
  private static Path dir;
  private static EtcdMetaBackend cellar;
  private static RecordingListener listener;
  private static long refObject;

  @BeforeAll
  static void startTheReference() throws Exception {
    Path venv = ReferenceVineyard.venv();
    Optional<Path> binary = ReferenceVineyard.binary();
    Assumptions.assumeTrue(binary.isPresent(), "the vineyard-bdist wheel ships no vineyardd here");
    dir = Files.createTempDirectory("cellar-ref");
    ref =
        ReferenceVineyard.start(
            venv, binary.get(), ETCD.member(0).clientUrl(), PREFIX, dir, FreePorts.next());
  }

  @AfterAll
  static void stop() {
    if (cellar != null) {
      cellar.close();
    }
    if (ref != null) {
      ref.close();
    }
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (java.io.IOException e) {
        // a leftover temp dir is not worth failing for
      }
    }
  }

  private static long oid(String text) {
    Matcher m = OID.matcher(text);
    assertTrue(m.find(), "no object id in: " + text);
    return Long.parseUnsignedLong(m.group(1), 16);
  }

  private static Map<String, String> fieldsOf(Map<String, EtcdKeys.Kv> keys, long instance) {
    String p = ROOT + "/instances/i" + instance + "/";
    Map<String, String> fields = new TreeMap<>();
    keys.forEach(
        (k, v) -> {
          if (k.startsWith(p)) {
            fields.put(k.substring(p.length()), v.value());
          }
        });
    return fields;
  }

  private static String jsonType(String value) throws Exception {
    return JSON.readTree(value).getNodeType().toString();
  }

  @Test
  @Order(1)
  void cellarRegistersBesideTheReferenceAsInstance1WithTheSameKeyShapes() throws Exception {
    refObject = oid(ref.python("print(repr(client.put(np.arange(10), persist=True, name='a/b')))"));
    cellar =
        EtcdMetaBackend.open(
            Map.of(
                "etcd_endpoint", ETCD.endpoints(), "etcd_prefix", PREFIX, "etcd_lease_ttl", "10"));
    assertEquals(1, cellar.register(Backends.facts(1)).instanceId());

    Map<String, EtcdKeys.Kv> keys = EtcdKeys.under(ETCD, ROOT + "/");
    Map<String, String> reference = fieldsOf(keys, 0);
    Map<String, String> ours = fieldsOf(keys, 1);
    Set<String> expected = new TreeSet<>(reference.keySet());
    // the reference writes member_id even when it launched no etcd (an uninitialised member id)
    expected.remove("member_id");
    assertEquals(expected, ours.keySet(), "the same instance fields");
    for (String field : ours.keySet()) {
      assertEquals(jsonType(reference.get(field)), jsonType(ours.get(field)), field + "'s type");
    }
    assertEquals("2", keys.get(ROOT + "/next_instance_id").value());
    printListing("a mixed cluster: reference vineyardd = i0, Cellar = i1", keys);

    MetaSnapshot snapshot = cellar.load();
    String stored =
        keys.get(ROOT + "/data/" + io.cellar.protocol.ObjectIds.toText(refObject)).value();
    assertEquals(
        JSON.readTree(stored), snapshot.objects().get(refObject), "the reference's object");
    assertEquals(Map.of("a/b", refObject), snapshot.names());
    assertEquals(List.of(0L, 1L), snapshot.instances().stream().map(r -> r.instanceId()).toList());
    listener = new RecordingListener();
    cellar.watch(snapshot.revision(), listener);
  }

  @Test
  @Order(2)
  void whatTheReferenceWritesArrivesAsTheOpsCellarWouldWriteByteForByte() throws Exception {
    long id = oid(ref.python("print(repr(client.put(np.arange(3), persist=True, name='x~y')))"));
    listener.await(
        "the reference's object and name",
        WAIT,
        calls ->
            listener.ops().stream().anyMatch(op -> op instanceof MetaOp.PutName n && n.id() == id));
    List<MetaOp> ops = listener.ops();
    MetaOp.PutObject object =
        ops.stream()
            .filter(op -> op instanceof MetaOp.PutObject p && p.id() == id)
            .map(op -> (MetaOp.PutObject) op)
            .findFirst()
            .orElseThrow();
    MetaOp.PutSignature signature =
        ops.stream()
            .filter(op -> op instanceof MetaOp.PutSignature s && s.id() == id)
            .map(op -> (MetaOp.PutSignature) op)
            .findFirst()
            .orElseThrow();
    assertEquals(0, signature.instanceId());
    assertEquals(object.persisted().get("signature").asLong(), signature.signature());
    assertTrue(ops.contains(new MetaOp.PutName("x~y", id)));

    Map<String, EtcdKeys.Kv> keys = EtcdKeys.under(ETCD, ROOT + "/");
    OpCodec codec = new OpCodec(new KeyLayout(PREFIX, 0));
    for (MetaOp op : List.of(object, signature, new MetaOp.PutName("x~y", id))) {
      for (EtcdWrite w : codec.writes(op, null)) {
        assertTrue(keys.containsKey(w.key()), "the reference wrote " + w.key());
        assertArrayEquals(
            keys.get(w.key()).value().getBytes(StandardCharsets.UTF_8),
            w.value(),
            "Cellar would write " + w + " exactly as the reference did");
      }
    }
  }

  @Test
  @Order(3)
  void whatCellarWritesTheReferencesClientReads() throws Exception {
    long id = 0x0123456789abcd02L;
    long sig = 0x0123456789abcd01L;
    ObjectNode object =
        (ObjectNode)
            JSON.readTree(
                "{\"__timestamp\":1796168780800,\"buffer_\":\"lo8123456789abcd00.vineyard::Blob@1\","
                    + "\"global\":false,\"instance_id\":1,\"nbytes\":80,\"order_\":\"v\\\"C\\\"\","
                    + "\"partition_index_\":\"v[]\",\"shape_\":\"v[10]\",\"signature\":"
                    + sig
                    + ",\"transient\":false,\"typename\":\"vvineyard::Tensor<int64>\","
                    + "\"value_type_\":\"vint64\",\"value_type_meta_\":\"v<i8\"}");
    cellar
        .commit(
            List.of(
                new MetaOp.PutObject(id, object),
                new MetaOp.PutSignature(1, sig, id),
                new MetaOp.PutName("c/d", id)))
        .get();
    String answer =
        ref.python(
            "print(repr(client.get_name('c/d')))\n"
                + "meta = client.get_meta(vineyard.ObjectID("
                + Long.toUnsignedString(id)
                + "), sync_remote=True)\n"
                + "print(meta.typename, meta.instance_id, meta['shape_'])\n"
                + "print(sorted(n for n in client.list_names('*')))");
    assertEquals(id, oid(answer.lines().toList().get(0)), answer);
    assertTrue(answer.contains("vineyard::Tensor<int64> 1 [10]"), answer);
    assertTrue(
        answer.contains("'a/b'") && answer.contains("'c/d'") && answer.contains("'x~y'"), answer);
    Map<String, EtcdKeys.Kv> keys = EtcdKeys.under(ETCD, ROOT + "/");
    printListing("after both persisted and named objects", keys);
  }

  @Test
  @Order(4)
  void aLiveCellarOutlivesTheReferencesThreeHeartbeatCheck() throws Exception {
    long created =
        EtcdKeys.under(ETCD, ROOT + "/instances/i1/hostid")
            .values()
            .iterator()
            .next()
            .modRevision();
    // the reference declares a neighbour dead after 3 unchanged timestamps, 10 s apart
    listener.awaitAbsence(
        "Cellar removed by the reference",
        Duration.ofSeconds(45),
        calls -> !listener.resets().isEmpty());
    Map<String, EtcdKeys.Kv> hostid = EtcdKeys.under(ETCD, ROOT + "/instances/i1/hostid");
    assertEquals(created, hostid.values().iterator().next().modRevision(), "never re-registered");
    assertFalse(ref.log().contains("Instance 1 timeout"), ref.log());
  }

  @Test
  @Order(5)
  void aKilledReferenceIsRemovedByCellarAfterThreeHeartbeats() throws Exception {
    try (EtcdMetaBackend fast =
        EtcdMetaBackend.open(
            Map.of(
                "etcd_endpoint",
                ETCD.endpoints(),
                "etcd_prefix",
                PREFIX,
                "etcd_heartbeat_interval",
                "1"))) {
      fast.register(Backends.facts(2));
      RecordingListener l = new RecordingListener();
      fast.watch(fast.load().revision(), l);
      long killed = System.nanoTime();
      ref.kill9();
      l.await("the reference lost", Duration.ofSeconds(15), calls -> !l.losses().isEmpty());
      System.out.printf(
          "reference kill -9 -> onInstanceLost(0) with 1 s heartbeats: %.2f s%n",
          (l.losses().get(0).atNanos() - killed) / 1e9);
      assertEquals(0, l.losses().get(0).instanceId());
      listener.await("the reference lost on i1 too", WAIT, calls -> !listener.losses().isEmpty());
      assertTrue(EtcdKeys.under(ETCD, ROOT + "/instances/i0/").isEmpty());
    }
  }

  private static void printListing(String title, Map<String, EtcdKeys.Kv> keys) {
    StringBuilder out = new StringBuilder("--- " + title + " ---\n");
    keys.forEach(
        (k, v) ->
            out.append(k)
                .append(" = ")
                .append(v.value())
                .append(v.lease() == 0 ? "" : "   [lease " + Long.toHexString(v.lease()) + "]")
                .append('\n'));
    System.out.print(out);
  }
}
