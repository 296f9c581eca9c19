package io.cellar.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The one codec of {@link Payload}s: the Payload JSON object with the reference's field names
 * (reference §3.2), and lists of payloads in replies, both as the array {@code payloads} and under
 * the numbered keys {@code "0"}, {@code "1"}, … as the reference writes them.
 *
 * <p>Stateless and thread-safe.
 */
public final class PayloadJson {
  private PayloadJson() {}

  /**
   * The Payload JSON object.
   *
   * @param p the payload
   * @return a new object node
   */
  public static ObjectNode write(Payload p) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("data_offset", p.dataOffset());
    n.put("data_size", p.dataSize());
    n.put("is_gpu", false);
    n.put("is_owner", p.owner());
    n.put("is_sealed", p.sealed());
    n.put("map_size", p.mapSize());
    UnsignedJson.put(n, "object_id", p.objectId());
    UnsignedJson.put(n, "pointer", p.pointer());
    n.put("store_fd", p.storeFd());
    return n;
  }

  /**
   * Reads a Payload JSON object.
   *
   * @param n the object
   * @return the payload
   * @throws CellarException {@code Invalid} when {@code object_id} is missing or malformed
   */
  public static Payload read(JsonNode n) {
    return new Payload(
        UnsignedJson.field(n, "object_id"),
        n.path("store_fd").asInt(-1),
        n.path("data_offset").asLong(0),
        n.path("data_size").asLong(0),
        n.path("map_size").asLong(0),
        n.has("pointer") ? UnsignedJson.field(n, "pointer") : 0,
        n.path("is_sealed").asBoolean(false),
        n.path("is_owner").asBoolean(true));
  }

  /**
   * Puts payloads into a reply as the array {@code payloads} and under {@code "0"}, {@code "1"}, …
   * (the same node under both).
   *
   * @param reply the reply object
   * @param payloads the payloads, in order
   */
  public static void putList(ObjectNode reply, List<Payload> payloads) {
    ArrayNode array = reply.putArray("payloads");
    for (int i = 0; i < payloads.size(); i++) {
      ObjectNode p = write(payloads.get(i));
      array.add(p);
      reply.set(Integer.toString(i), p);
    }
  }

  /**
   * The payloads of a reply: the {@code payloads} array when present, else the numbered keys {@code
   * "0"}..{@code "num-1"}.
   *
   * @param reply the reply object
   * @return the payloads, in order
   */
  public static List<Payload> readList(JsonNode reply) {
    List<Payload> payloads = new ArrayList<>();
    JsonNode array = reply.get("payloads");
    if (array != null && array.isArray()) {
      for (JsonNode p : array) {
        payloads.add(read(p));
      }
      return payloads;
    }
    int num = reply.path("num").asInt(0);
    for (int i = 0; i < num; i++) {
      payloads.add(read(reply.path(Integer.toString(i))));
    }
    return payloads;
  }
}
