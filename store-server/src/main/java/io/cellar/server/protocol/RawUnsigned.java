package io.cellar.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;

/**
 * Unsigned 64-bit numbers for reply trees, cheap on the hot path: a value with bit 63 set (every
 * blob id) is written as its unsigned decimal text verbatim, never as a negative number and without
 * the {@code BigInteger} parse and print that {@link io.cellar.core.json.UnsignedJson} costs. The
 * bytes on the wire are the same bare JSON number.
 *
 * <p>Stateless and thread-safe. Nodes are for writing; read ids with {@link Request}.
 */
public final class RawUnsigned {
  private RawUnsigned() {}

  /**
   * A node that serializes as the unsigned value.
   *
   * @param value read as unsigned
   * @return a number node, or a raw-text node for values of 2^63 and above
   */
  public static JsonNode node(long value) {
    return value >= 0
        ? LongNode.valueOf(value)
        : JsonNodeFactory.instance.rawValueNode(new RawValue(Long.toUnsignedString(value)));
  }

  /**
   * Puts an unsigned value into an object.
   *
   * @param target the object
   * @param field the field name
   * @param value read as unsigned
   * @return {@code target}
   */
  public static ObjectNode put(ObjectNode target, String field, long value) {
    target.set(field, node(value));
    return target;
  }
}
