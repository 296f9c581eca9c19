package io.cellar.server.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.blob.Payload;
import io.cellar.server.protocol.RawUnsigned;
import java.util.List;

/**
 * Writes lists of payloads, fds and ids into replies the way the reference does: payloads both as
 * an array {@code payloads} and under the numbered keys {@code "0"}, {@code "1"}, …
 *
 * <p>Stateless and thread-safe.
 */
final class PayloadJson {
  private PayloadJson() {}

  /**
   * The Payload JSON object (reference §3.2), field for field as {@link Payload#toJson()} writes
   * it, with unsigned numbers written cheaply.
   */
  static ObjectNode payload(Payload p) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("data_offset", p.dataOffset());
    n.put("data_size", p.dataSize());
    n.put("is_gpu", false);
    n.put("is_owner", p.owner());
    n.put("is_sealed", p.sealed());
    n.put("map_size", p.mapSize());
    RawUnsigned.put(n, "object_id", p.objectId());
    RawUnsigned.put(n, "pointer", p.pointer());
    n.put("store_fd", p.storeFd());
    return n;
  }

  /** Payloads as the array {@code payloads} and under {@code "0"}, {@code "1"}, … (shared). */
  static void putPayloads(ObjectNode reply, List<Payload> payloads) {
    ArrayNode array = reply.putArray("payloads");
    for (int i = 0; i < payloads.size(); i++) {
      ObjectNode p = payload(payloads.get(i));
      array.add(p);
      reply.set(Integer.toString(i), p);
    }
  }

  static void putInts(ObjectNode reply, String field, int[] values) {
    ArrayNode array = reply.putArray(field);
    for (int v : values) {
      array.add(v);
    }
  }

  static void putIds(ObjectNode reply, String field, long[] ids) {
    ArrayNode array = reply.putArray(field);
    for (long id : ids) {
      array.add(RawUnsigned.node(id));
    }
  }
}
