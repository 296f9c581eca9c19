package io.cellar.server.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.blob.Payload;
import java.util.List;

/**
 * Writes lists of payloads, fds and ids into replies the way the reference does: payloads both as
 * an array {@code payloads} and under the numbered keys {@code "0"}, {@code "1"}, …
 *
 * <p>Stateless and thread-safe.
 */
final class PayloadJson {
  private PayloadJson() {}

  static void putPayloads(ObjectNode reply, List<Payload> payloads) {
    ArrayNode array = reply.putArray("payloads");
    for (int i = 0; i < payloads.size(); i++) {
      ObjectNode p = payloads.get(i).toJson();
      array.add(p);
      reply.set(Integer.toString(i), p.deepCopy());
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
      array.add(io.cellar.core.json.UnsignedJson.node(id));
    }
  }
}
