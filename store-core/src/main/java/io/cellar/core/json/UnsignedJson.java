package io.cellar.core.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.error.CellarException;
import io.cellar.core.id.ObjectIds;
import java.math.BigInteger;

/**
 * Unsigned 64-bit numbers in Jackson trees. Ids, signatures and instance ids travel as bare JSON
 * numbers up to 2^64-1 (reference §1.5); Java holds them in a {@code long}, so values with bit 63
 * set are written as {@link BigIntegerNode}s and never as negative numbers.
 *
 * <p>Stateless and thread-safe.
 */
public final class UnsignedJson {
  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

  private UnsignedJson() {}

  /**
   * A JSON number node for an unsigned 64-bit value.
   *
   * @param value the value, read as unsigned
   * @return a node that serializes as a non-negative number
   */
  public static JsonNode node(long value) {
    return value >= 0
        ? LongNode.valueOf(value)
        : BigIntegerNode.valueOf(BigInteger.valueOf(value & Long.MAX_VALUE).setBit(63));
  }

  /**
   * Puts an unsigned 64-bit value into an object.
   *
   * @param target the object to write into
   * @param field the field name
   * @param value the value, read as unsigned
   * @return {@code target}
   */
  public static ObjectNode put(ObjectNode target, String field, long value) {
    target.set(field, node(value));
    return target;
  }

  /**
   * Reads an unsigned 64-bit value: a JSON integer from 0 to 2^64-1, or (as ids appear inside
   * metadata) an {@code o…}/{@code s…} text id. Negative integers are accepted as their two's
   * complement, as C++ readers of {@code int64} fields do.
   *
   * @param node the node
   * @param what the field name, for the error message
   * @return the value as a {@code long}
   * @throws CellarException {@code Invalid} when the node is missing or not such a number
   */
  public static long read(JsonNode node, String what) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      throw CellarException.invalid("missing field '" + what + "'");
    }
    if (node.isIntegralNumber()) {
      if (node.canConvertToLong()) {
        return node.longValue();
      }
      BigInteger b = node.bigIntegerValue();
      if (b.signum() >= 0 && b.compareTo(TWO_64) < 0) {
        return b.longValue();
      }
    } else if (node.isTextual()) {
      try {
        return ObjectIds.parseText(node.textValue());
      } catch (IllegalArgumentException e) {
        throw CellarException.invalid("field '" + what + "' is not an id: " + node.textValue());
      }
    }
    throw CellarException.invalid(
        "field '" + what + "' must be an unsigned 64-bit integer, got " + node);
  }

  /**
   * Reads an unsigned 64-bit field of an object.
   *
   * @param object the object
   * @param field the field name
   * @return the value
   * @throws CellarException {@code Invalid} when the field is missing or not such a number
   */
  public static long field(JsonNode object, String field) {
    return read(object == null ? null : object.get(field), field);
  }
}
