package io.cellar.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.math.BigInteger;

/**
 * Unsigned 64-bit numbers in Jackson trees, written and read in one place. Ids, signatures and
 * instance ids travel as bare JSON numbers up to 2^64-1 (reference §1.5); Java holds them in a
 * {@code long}. A value with bit 63 set (every blob id) is written as its unsigned decimal text
 * verbatim (a raw-value node), never as a negative number and without the {@code BigInteger} parse
 * and print a number node would cost; the bytes on the wire are the same bare JSON number.
 *
 * <p>{@link #read} accepts every form a tree can hold such a number in: a number node, a raw-value
 * node written here, a big-integer node from a parser, and the {@code o…}/{@code s…} text ids of
 * metadata.
 *
 * <p>Stateless and thread-safe.
 */
public final class UnsignedJson {
  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

  private UnsignedJson() {}

  /**
   * A JSON node that serializes as an unsigned 64-bit value.
   *
   * @param value the value, read as unsigned
   * @return a number node, or a raw-value node for values of 2^63 and above
   */
  public static JsonNode node(long value) {
    return value >= 0
        ? LongNode.valueOf(value)
        : JsonNodeFactory.instance.rawValueNode(new RawValue(Long.toUnsignedString(value)));
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
   * Puts an array of unsigned 64-bit values into an object.
   *
   * @param target the object to write into
   * @param field the field name
   * @param values the values, each read as unsigned
   * @return the new array
   */
  public static ArrayNode putArray(ObjectNode target, String field, long[] values) {
    ArrayNode array = target.putArray(field);
    for (long v : values) {
      array.add(node(v));
    }
    return array;
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
    } else if (node instanceof POJONode pojo && pojo.getPojo() instanceof RawValue raw) {
      try {
        return Long.parseUnsignedLong(String.valueOf(raw.rawValue()));
      } catch (NumberFormatException e) {
        // not one of ours: reported below
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
