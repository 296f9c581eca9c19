package io.cellar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.ObjectIds;
import io.cellar.server.testing.RawWireClient;
import io.cellar.testing.daemon.DaemonCommand;
import io.cellar.testing.daemon.VineyarddProcess;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The differential test: the same generated request sequences (seeded, {@value #REQUESTS} requests
 * over two connections) go to the reference vineyardd and to Cellar over the raw IPC protocol; ids
 * are mapped by creation order (the k-th blob or object each server created); every pair of replies
 * must have the same shape ({@link #shape}: the error code, or the reply's keys, the types of their
 * values, booleans and counts), unless the pair is listed in {@link #KNOWN_DIFFERENCES} (each with
 * the reason, the compatibility table of store-server/README.md). A new mismatch fails the test
 * with the request and both replies.
 *
 * <p>Now and then one connection is drained (it releases every blob its entry holds, asking
 * is_in_use after each, then releases once more), so that the sequences reach empty entries and
 * cold blobs; the test checks that release answered ok, 2 and 12 and is_in_use both ways.
 *
 * <p>The generator avoids what crashes the reference (reference §5 and issue 15): {@code
 * create_data} with a non-object {@code content}, and objects whose member blobs are deleted behind
 * them (a blob is a member of at most one object and is never dropped while it is one). It never
 * sends a request that waits ({@code wait=true} on missing ids or names).
 */
class DifferentialIT {
  static final int REQUESTS = 6000;
  private static final long SEED = 15_2026L;
  private static final BigInteger UNKNOWN_BLOB = new BigInteger("9223372036854787654");
  private static final long UNKNOWN_OBJECT = 0x3039;
  private static final String[] NAMES = {"a", "a/b", "x~y", "n1", "deep/er/name"};

  /**
   * A deliberate difference: a request type and the two shapes, with the reason.
   *
   * @param type the request type
   * @param reference the reference's reply shape
   * @param cellar Cellar's reply shape
   * @param why why Cellar answers differently
   */
  record KnownDifference(String type, String reference, String cellar, String why) {}

  /** Every difference a client can see that Cellar keeps on purpose. */
  static final List<KnownDifference> KNOWN_DIFFERENCES = List.of();

  private record Pair(RawWireClient ref, RawWireClient cellar) {}

  /** The ids one server created, in creation order. */
  private static final class Ids {
    final List<BigInteger> blobs = new ArrayList<>();
    final List<Long> objects = new ArrayList<>();
  }

  /** What the generator knows, the same for both servers by construction. */
  private static final class Model {
    final List<Boolean> blobSealed = new ArrayList<>();
    final List<Boolean> blobEmpty = new ArrayList<>();
    final List<Boolean> blobGone = new ArrayList<>();
    final List<Boolean> blobIsMember = new ArrayList<>();
    final List<Boolean> objectGone = new ArrayList<>();
    final Map<String, Integer> names = new TreeMap<>();

    /**
     * Per connection, the blobs its entry holds after the reference's replies (blob indices, -1 for
     * the unknown blob, the first empty blob's index for the empty blob, whose ids are one).
     */
    final List<Set<Integer>> held = List.of(new TreeSet<>(), new TreeSet<>());

    /** Requests queued for one connection (a drain), sent before any generated one. */
    final Deque<Step> queued = new ArrayDeque<>();

    int queuedConnection;

    /** The key of a blob index in {@link #held}. */
    int key(int k) {
      return k >= 0 && blobEmpty.get(k) ? blobEmpty.indexOf(true) : k;
    }
  }

  /** A request to build for one server from its ids. */
  private interface Template extends Function<Ids, ObjectNode> {}

  @Test
  void generatedSequencesGetTheSameAnswersFromBothServers() throws Exception {
    DaemonCommand reference = Servers.referenceCommand();
    try (VineyarddProcess ref =
            VineyarddProcess.builder(reference).size("256M").rpc(false).start();
        VineyarddProcess cellar =
            VineyarddProcess.builder(DaemonCommand.cellarMain(Servers.JVM_OPTIONS))
                .size("256M")
                .rpc(false)
                .flags("--nowarmup")
                .start()) {
      List<Pair> connections = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        connections.add(
            new Pair(RawWireClient.connect(ref.socket()), RawWireClient.connect(cellar.socket())));
      }
      Ids refIds = new Ids();
      Ids cellarIds = new Ids();
      Model model = new Model();
      Random random = new Random(SEED);
      List<String> mismatches = new ArrayList<>();
      Map<String, Integer> seen = new TreeMap<>();
      Map<String, Set<String>> answers = new TreeMap<>();
      try {
        for (int i = 0; i < REQUESTS && mismatches.size() < 10; i++) {
          if (model.queued.isEmpty() && random.nextInt(DRAIN_ONE_IN) == 0) {
            drain(random.nextInt(connections.size()), model);
          }
          int c =
              model.queued.isEmpty() ? random.nextInt(connections.size()) : model.queuedConnection;
          Pair conn = connections.get(c);
          Step step = model.queued.isEmpty() ? next(random, model) : model.queued.poll();
          ObjectNode refRequest = step.template.apply(refIds);
          ObjectNode cellarRequest = step.template.apply(cellarIds);
          JsonNode refReply = conn.ref.call(refRequest);
          JsonNode cellarReply = conn.cellar.call(cellarRequest);
          String type = refRequest.get("type").asText();
          seen.merge(type, 1, Integer::sum);
          String a = shape(refReply);
          String b = shape(cellarReply);
          answers.computeIfAbsent(type, t -> new TreeSet<>()).add(a);
          boolean known =
              KNOWN_DIFFERENCES.stream()
                  .anyMatch(
                      k -> k.type.equals(type) && k.reference.equals(a) && k.cellar.equals(b));
          if (!a.equals(b) && !known) {
            mismatches.add(
                "#"
                    + i
                    + " "
                    + refRequest
                    + "\n  reference: "
                    + refReply
                    + "\n  cellar:    "
                    + cellarReply);
          }
          record(step, refReply, refIds, model, true, c);
          record(step, cellarReply, cellarIds, model, false, c);
          if (step.kind.startsWith("del_data") && !refReply.has("code") && step.index >= 0) {
            // the reference keeps a deleted object's names (they then name nothing); Cellar drops
            // them with the object (compatibility table): drop them on both, uncompared
            for (String name : model.names.keySet().toArray(String[]::new)) {
              if (model.names.get(name) == step.index) {
                conn.ref.call(req("drop_name_request").put("name", name));
                conn.cellar.call(req("drop_name_request").put("name", name));
                model.names.remove(name);
              }
            }
          }
        }
      } finally {
        for (Pair p : connections) {
          p.ref.close();
          p.cellar.close();
        }
      }
      assertTrue(mismatches.isEmpty(), () -> "replies differ:\n" + String.join("\n", mismatches));
      assertEquals(REQUESTS, seen.values().stream().mapToInt(Integer::intValue).sum());
      assertTrue(seen.size() >= 18, () -> "request types exercised: " + seen);
      // the reference-counting answers the sequences must reach: release ok, 2 and 12, and
      // is_in_use both ways
      assertEquals(
          Set.of("{type:release_reply,}", "error 2", "error 12"),
          answers.get("release_request"),
          () -> "answers seen: " + answers);
      assertEquals(
          Set.of(
              "{is_in_use:false,type:is_in_use_reply,}", "{is_in_use:true,type:is_in_use_reply,}"),
          answers.get("is_in_use_request"),
          () -> "answers seen: " + answers);
      assertTrue(ref.accepts() && cellar.accepts(), "both servers still serve");
    }
  }

  /** One generated request and how to update the model from its replies. */
  private record Step(String kind, int index, Template template, String name, int second) {
    Step(String kind, int index, Template template) {
      this(kind, index, template, null, -1);
    }

    Step(String kind, int index, Template template, String name) {
      this(kind, index, template, name, -1);
    }
  }

  /** About one step in this many starts a drain (while none is queued). */
  private static final int DRAIN_ONE_IN = 400;

  /**
   * Queues a drain of one connection, as a client that lets go of everything: a release of every
   * blob its entry holds, each followed by an is_in_use of that blob (false once nobody holds a
   * sealed one), then one release more, on the empty entry.
   */
  private static void drain(int connection, Model m) {
    m.queuedConnection = connection;
    for (int key : m.held.get(connection)) {
      m.queued.add(releaseStep(key));
      m.queued.add(
          new Step("is_in_use", key, ids -> req("is_in_use_request").put("id", blob(ids, key))));
    }
    m.queued.add(releaseStep(-1));
  }

  private static Step releaseStep(int k) {
    return new Step("release", k, ids -> req("release_request").put("object_id", blob(ids, k)));
  }

  private static ObjectNode req(String type) {
    return RawWireClient.request(type);
  }

  private static ArrayNode array() {
    return RawWireClient.JSON.createArrayNode();
  }

  private static BigInteger blob(Ids ids, int k) {
    return k < 0 || k >= ids.blobs.size() ? UNKNOWN_BLOB : ids.blobs.get(k);
  }

  private static long object(Ids ids, int k) {
    return k < 0 || k >= ids.objects.size() ? UNKNOWN_OBJECT : ids.objects.get(k);
  }

  /** A blob index: mostly a known blob, sometimes an unknown one (-1). */
  private static int someBlob(Random r, Model m) {
    return m.blobSealed.isEmpty() || r.nextInt(8) == 0 ? -1 : r.nextInt(m.blobSealed.size());
  }

  private static int someObject(Random r, Model m) {
    return m.objectGone.isEmpty() || r.nextInt(8) == 0 ? -1 : r.nextInt(m.objectGone.size());
  }

  private static Step next(Random r, Model m) {
    int dice = r.nextInt(100);
    if (dice < 14) {
      long size = r.nextInt(20) == 0 ? -1 : r.nextInt(6) == 0 ? 0 : 1 + r.nextInt(4096);
      return new Step("create_buffer", -1, ids -> req("create_buffer_request").put("size", size));
    }
    if (dice < 26) {
      int k = someBlob(r, m);
      return new Step("seal", k, ids -> req("seal_request").put("object_id", blob(ids, k)));
    }
    if (dice < 32) {
      int k = someBlob(r, m);
      int j = someBlob(r, m);
      return new Step(
          "get_buffers",
          k,
          ids -> {
            ObjectNode q = req("get_buffers_request").put("unsafe", false);
            q.set("ids", array().add(blob(ids, k)).add(blob(ids, j)));
            return q;
          },
          null,
          j);
    }
    if (dice < 36) {
      return releaseStep(someBlob(r, m));
    }
    if (dice < 39) {
      int k = someBlob(r, m);
      if (k >= 0 && m.blobIsMember.get(k)) {
        return new Step("exists", -1, ids -> req("exists_request").put("id", blob(ids, k)));
      }
      return new Step("drop_buffer", k, ids -> req("drop_buffer_request").put("id", blob(ids, k)));
    }
    if (dice < 52) {
      // an object, with a sealed blob no other object has as a member, or none
      int member = -1;
      for (int tries = 0; tries < 4 && !m.blobSealed.isEmpty(); tries++) {
        int k = r.nextInt(m.blobSealed.size());
        if (m.blobSealed.get(k) && !m.blobGone.get(k) && !m.blobIsMember.get(k)) {
          member = k;
          break;
        }
      }
      int k = member;
      return new Step(
          "create_data",
          k,
          ids -> {
            ObjectNode content = RawWireClient.JSON.createObjectNode();
            content.put("typename", "cellar::Generated");
            content.put("instance_id", 0);
            content.put("transient", true);
            content.put("nbytes", 0);
            if (k >= 0) {
              ObjectNode b = content.putObject("buffer_");
              b.put("id", ObjectIds.toText(blob(ids, k).longValue()));
              b.put("typename", "vineyard::Blob");
              b.put("instance_id", 0);
              b.put("transient", true);
              b.put("length", 0);
              b.put("nbytes", 0);
            }
            return req("create_data_request").set("content", content);
          });
    }
    if (dice < 62) {
      int k = someObject(r, m);
      int j = someObject(r, m);
      return new Step(
          "get_data",
          -1,
          ids -> {
            ObjectNode q = req("get_data_request").put("sync_remote", false).put("wait", false);
            q.set("id", array().add(object(ids, k)).add(object(ids, j)));
            return q;
          });
    }
    if (dice < 65) {
      String pattern = r.nextBoolean() ? "cellar::Generated" : "nothing::Here";
      return new Step(
          "list_data",
          -1,
          ids ->
              req("list_data_request").put("pattern", pattern).put("regex", false).put("limit", 3));
    }
    if (dice < 70) {
      int k = someObject(r, m);
      boolean deep = r.nextBoolean();
      return new Step(
          deep ? "del_data_deep" : "del_data",
          k,
          ids -> {
            ObjectNode q =
                req("del_data_request")
                    .put("force", false)
                    .put("deep", deep)
                    .put("fastpath", false)
                    .put("memory_trim", false);
            q.set("id", array().add(object(ids, k)));
            return q;
          });
    }
    if (dice < 74) {
      int k = someObject(r, m);
      return new Step("persist", k, ids -> req("persist_request").put("id", object(ids, k)));
    }
    if (dice < 77) {
      int k = someObject(r, m);
      return new Step("if_persist", k, ids -> req("if_persist_request").put("id", object(ids, k)));
    }
    if (dice < 79) {
      int k = someObject(r, m);
      return new Step(
          "shallow_copy", k, ids -> req("shallow_copy_request").put("id", object(ids, k)));
    }
    if (dice < 81) {
      int k = someObject(r, m);
      return new Step("exists", k, ids -> req("exists_request").put("id", object(ids, k)));
    }
    if (dice < 86) {
      int k = someObject(r, m);
      String name = NAMES[r.nextInt(NAMES.length)];
      return new Step(
          "put_name",
          k,
          ids -> req("put_name_request").put("object_id", object(ids, k)).put("name", name),
          name);
    }
    if (dice < 90) {
      String name = NAMES[r.nextInt(NAMES.length)];
      return new Step(
          "get_name", -1, ids -> req("get_name_request").put("name", name).put("wait", false));
    }
    if (dice < 92) {
      String name = NAMES[r.nextInt(NAMES.length)];
      return new Step("drop_name", -1, ids -> req("drop_name_request").put("name", name), name);
    }
    if (dice < 94) {
      return new Step(
          "list_name",
          -1,
          ids -> req("list_name_request").put("pattern", "*").put("regex", false).put("limit", 10));
    }
    if (dice < 96) {
      int k = someObject(r, m);
      return new Step(
          "label",
          k,
          ids -> {
            ObjectNode q = req("label_request").put("id", object(ids, k));
            q.set("keys", array().add("k"));
            q.set("values", array().add("v"));
            return q;
          });
    }
    if (dice < 98) {
      int k = someBlob(r, m);
      return new Step("is_in_use", k, ids -> req("is_in_use_request").put("id", blob(ids, k)));
    }
    // unknown ids too: both servers record them for release (and is_in_use stays true)
    int k = someBlob(r, m);
    return new Step(
        "increase_reference_count",
        k,
        ids -> {
          ObjectNode q = req("increase_reference_count_request");
          q.set("ids", array().add(blob(ids, k)));
          return q;
        });
  }

  /**
   * Updates the ids (per server) and the model (once, from the reference's reply to a request on
   * {@code connection}).
   */
  private static void record(
      Step step, JsonNode reply, Ids ids, Model m, boolean updateModel, int connection) {
    boolean ok = !reply.has("code");
    Set<Integer> held = m.held.get(connection);
    switch (step.kind) {
      case "create_buffer" -> {
        if (ok) {
          ids.blobs.add(reply.get("id").bigIntegerValue());
          if (updateModel) {
            boolean empty = reply.path("created").path("data_size").asLong() == 0;
            m.blobSealed.add(empty);
            m.blobEmpty.add(empty);
            m.blobGone.add(false);
            m.blobIsMember.add(false);
          }
        }
      }
      case "get_buffers" -> {
        if (ok && updateModel) {
          held.add(m.key(step.index));
          held.add(m.key(step.second));
        }
      }
      case "increase_reference_count" -> {
        if (ok && updateModel) {
          held.add(m.key(step.index));
        }
      }
      case "release" -> {
        if (ok && updateModel) {
          held.remove(m.key(step.index));
        }
      }
      case "create_data" -> {
        if (ok) {
          ids.objects.add(reply.get("id").asLong());
          if (updateModel) {
            m.objectGone.add(false);
            if (step.index >= 0) {
              m.blobIsMember.set(step.index, true);
            }
          }
        }
      }
      case "shallow_copy" -> {
        if (ok) {
          ids.objects.add(reply.get("target_id").asLong());
          if (updateModel) {
            m.objectGone.add(false);
          }
        }
      }
      case "seal" -> {
        if (ok && updateModel && step.index >= 0) {
          m.blobSealed.set(step.index, true);
          held.add(m.key(step.index));
        }
      }
      case "put_name" -> {
        if (ok && updateModel) {
          m.names.put(step.name, step.index);
        }
      }
      case "drop_name" -> {
        if (ok && updateModel) {
          m.names.remove(step.name);
        }
      }
      case "drop_buffer" -> {
        if (ok && updateModel && step.index >= 0) {
          m.blobGone.set(step.index, true);
        }
      }
      case "del_data", "del_data_deep" -> {
        if (ok && updateModel && step.index >= 0) {
          m.objectGone.set(step.index, true);
        }
      }
      default -> {}
    }
  }

  /** Keys whose values (not only their types) are compared. */
  private static final Set<String> VALUES =
      Set.of("type", "exists", "persist", "is_in_use", "is_sealed", "is_owner", "size", "num");

  /** Keys holding maps keyed by ids or names: compared by their number of entries. */
  private static final Set<String> MAPS = Set.of("content", "names");

  /**
   * A reply's shape: {@code error <code>}, or its keys (sorted) with the types of their values
   * (objects recursively; the values of {@link #VALUES}; the sizes of {@link #MAPS} and arrays).
   *
   * @param reply a reply
   * @return the shape
   */
  static String shape(JsonNode reply) {
    if (reply.has("code")) {
      return "error " + reply.get("code").asInt();
    }
    return shape(reply, "");
  }

  private static String shape(JsonNode n, String key) {
    if (n.isNull()) {
      return "null";
    }
    if (MAPS.contains(key) && n.isObject()) {
      return "map[" + n.size() + "]";
    }
    if (VALUES.contains(key) && n.isValueNode()) {
      return n.asText();
    }
    if (n.isObject()) {
      StringBuilder b = new StringBuilder("{");
      new TreeMap<String, JsonNode>(toMap(n))
          .forEach((k, v) -> b.append(k).append(':').append(shape(v, k)).append(','));
      return b.append('}').toString();
    }
    if (n.isArray()) {
      StringBuilder b = new StringBuilder("[");
      n.forEach(e -> b.append(shape(e, key)).append(','));
      return b.append(']').toString();
    }
    if (n.isBoolean()) {
      return "bool";
    }
    if (n.isNumber()) {
      return "number";
    }
    return "string";
  }

  private static Map<String, JsonNode> toMap(JsonNode n) {
    Map<String, JsonNode> m = new TreeMap<>();
    n.properties().forEach(e -> m.put(e.getKey(), e.getValue()));
    return m;
  }
}
