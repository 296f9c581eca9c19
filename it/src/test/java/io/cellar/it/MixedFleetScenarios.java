package io.cellar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellar.protocol.ObjectIds;
import io.cellar.testing.daemon.DaemonKind;
import io.cellar.testing.etcd.EtcdCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A mixed fleet on one etcd: instance 0 and instance 1 are one reference vineyardd (from the {@code
 * vineyard-bdist} wheel) and one Cellar {@code bin/vineyardd}, in the order a subclass picks. The
 * cluster scenarios of {@link CellarClusterIT} run both ways (each instance writes, the other
 * reads, blobs pulled across over RPC in both directions), then the keys each instance wrote are
 * compared: the same key names and the same JSON shapes (field names and value kinds) once ids,
 * signatures, timestamps and the writer's name prefix are normalised. The whole listing is written
 * to {@code target/mixed-fleet-<order>.keys}.
 */
@Timeout(600)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class MixedFleetScenarios {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static VineyarddFleet fleet;

  /**
   * Which server is instance 0 and which instance 1.
   *
   * @return two kinds
   */
  abstract DaemonKind[] kinds();

  /**
   * The prefix and file name of this order.
   *
   * @return for example {@code reference-cellar}
   */
  abstract String order();

  /**
   * The subclass's etcd (one per class: an extension instance starts once).
   *
   * @return the running etcd
   */
  abstract EtcdCluster etcd();

  private VineyarddFleet fleet() throws Exception {
    if (fleet == null) {
      fleet = VineyarddFleet.start(etcd(), "/" + order(), kinds());
    }
    return fleet;
  }

  @AfterAll
  static void stop() {
    if (fleet != null) {
      fleet.close();
      fleet = null;
    }
  }

  private static void python(String... args) throws Exception {
    String output = PythonEnvironment.get().runScenario("cluster.py", Map.of(), args);
    assertTrue(output.contains("OK "), output);
  }

  @Test
  @Order(1)
  void eachListsTheOther() throws Exception {
    python("members", "distributed", fleet().socket(0), fleet().socket(1));
  }

  @Test
  @Order(2)
  void eachReadsWhatTheOtherPersistedBitExact() throws Exception {
    python("share", "w0/", fleet().socket(0), fleet().socket(1));
    python("share", "w1/", fleet().socket(1), fleet().socket(0));
  }

  @Test
  @Order(3)
  void transientObjectsStayHomeAndDeletesAreSeenBothWays() throws Exception {
    python("transient", fleet().socket(0), fleet().socket(1));
    python("transient", fleet().socket(1), fleet().socket(0));
    python("delete", "d0/", fleet().socket(0), fleet().socket(1));
    python("delete", "d1/", fleet().socket(1), fleet().socket(0));
  }

  @Test
  @Order(4)
  void bothWroteTheSameKeysAndShapes() throws Exception {
    TreeMap<String, String> keys = fleet().keys();
    Path listing = Path.of("target", "mixed-fleet-" + order() + ".keys");
    Files.createDirectories(listing.getParent());
    StringBuilder text = new StringBuilder();
    keys.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
    Files.writeString(listing, text);

    String session = "/" + order() + "/S0000000000000000/";
    Map<Long, Long> owners = new TreeMap<>(); // object id -> instance that wrote it
    for (Map.Entry<String, String> e : keys.entrySet()) {
      String rest = e.getKey().substring(session.length());
      if (rest.startsWith("data/") && !rest.endsWith("/__name")) {
        long id = ObjectIds.parseText(rest.substring("data/".length()));
        owners.put(id, JSON.readTree(e.getValue()).path("instance_id").asLong());
      }
    }
    Map<Long, Set<String>> shapes = new TreeMap<>();
    shapes.put(0L, new TreeSet<>());
    shapes.put(1L, new TreeSet<>());
    Map<Long, Set<String>> instanceFields = new TreeMap<>();
    for (Map.Entry<String, String> e : keys.entrySet()) {
      String rest = e.getKey().substring(session.length());
      String value = e.getValue();
      long writer;
      String shape;
      if (rest.startsWith("data/")) {
        String idText = rest.substring(5, 22);
        Long owner = owners.get(ObjectIds.parseText(idText));
        if (owner == null) {
          // the reference leaves data/<id>/__name behind when it deletes a named object
          assertTrue(value.matches("\"vd[01]~1doomed\""), "a dangling key " + e.getKey());
          continue;
        }
        writer = owner;
        if (!rest.endsWith("/__name")) {
          // the reference's object JSON is a sorted map: its fields in byte order, as written
          List<String> fields = new ArrayList<>();
          JSON.readTree(value).fieldNames().forEachRemaining(fields::add);
          List<String> sorted = new ArrayList<>(new TreeSet<>(fields));
          assertEquals(sorted, fields, "the field order of " + e.getKey() + " (by " + owner + ")");
        }
        shape =
            rest.endsWith("/__name")
                ? "data/<id>/__name = " + normaliseName(value)
                : "data/<id> = " + jsonShape(value);
      } else if (rest.startsWith("names/")) {
        Long owner = owners.get(Long.parseUnsignedLong(value.strip()));
        if (owner == null) {
          // the reference keeps a name whose object was deleted (Cellar drops it with the object):
          // only the deleted objects' names may dangle
          assertTrue(rest.matches("names/d[01]~1doomed"), "a dangling name " + e.getKey());
          continue;
        }
        writer = owner;
        shape = "names/" + normaliseName(rest.substring(6)) + " = <number>";
      } else if (rest.startsWith("signatures/i")) {
        writer = Long.parseLong(rest.substring(12, rest.indexOf('/', 12)));
        assertTrue(value.matches("\"o[0-9a-f]{16}\""), rest + " = " + value);
        shape = "signatures/i<n>/s<sig> = \"o<id>\"";
      } else if (rest.startsWith("instances/i")) {
        writer = Long.parseLong(rest.substring(11, rest.indexOf('/', 11)));
        instanceFields
            .computeIfAbsent(writer, w -> new TreeSet<>())
            .add(rest.substring(rest.indexOf('/', 11) + 1) + " " + kind(JSON.readTree(value)));
        continue;
      } else {
        assertEquals("next_instance_id", rest, "an unexpected key " + e.getKey());
        continue;
      }
      shapes.get(writer).add(shape);
    }
    assertEquals(shapes.get(0L), shapes.get(1L), "the two instances wrote different layouts");
    // instance keys: the same fields and kinds, except that the reference writes member_id
    // though it launched no etcd (Cellar writes it only when it did)
    long reference = kinds()[0] == DaemonKind.REFERENCE ? 0 : 1;
    Set<String> extra = new TreeSet<>(instanceFields.get(reference));
    extra.removeAll(instanceFields.get(1 - reference));
    assertEquals(Set.of("member_id string"), extra, instanceFields.toString());
    assertTrue(instanceFields.get(reference).containsAll(instanceFields.get(1 - reference)));
  }

  /** {@code w0~1f64} and {@code "vw1~1f64"} both become {@code w<n>~1f64}. */
  private static String normaliseName(String text) {
    return text.replaceAll("(^|\"v)([wd])[01](~1|/)", "$1$2<n>$3")
        .replaceAll("back-[01]", "back-<n>");
  }

  /** Field names with the kind of each value, ids and instance numbers normalised. */
  private static String jsonShape(String value) throws Exception {
    JsonNode tree = JSON.readTree(value);
    TreeMap<String, String> fields = new TreeMap<>();
    tree.properties()
        .forEach(
            f -> {
              String kind = kind(f.getValue());
              if (f.getValue().isTextual() && f.getValue().textValue().startsWith("l")) {
                kind =
                    "link "
                        + f.getValue()
                            .textValue()
                            .replaceAll("^lo[0-9a-f]{16}", "l<id>")
                            .replaceAll("@[0-9]+$", "@<n>");
              }
              if (f.getKey().equals("__name")) {
                // the reference's persist writes its whole tree: the copy a get(fetch=True) made
                // carries the source's __name in its JSON (the name stays the source's); Cellar's
                // copy has no name. Named objects themselves carry it in neither (put_name writes
                // data/<id>/__name and names/ only): left out of the shapes
                return;
              }
              fields.put(f.getKey(), kind);
            });
    return fields.toString();
  }

  private static String kind(JsonNode v) {
    if (v.isTextual()) {
      return "string";
    }
    if (v.isBoolean()) {
      return "bool";
    }
    if (v.isIntegralNumber()) {
      return "integer";
    }
    return v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
  }
}
