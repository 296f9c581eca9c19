package io.cellar.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.UnsignedJson;
import java.util.ArrayList;
import java.util.List;

/**
 * One parsed request: its {@code type} and its JSON object, with typed field readers that turn a
 * missing required field or a field of the wrong JSON type into a clear {@code Invalid} (1) error
 * naming the field and the command, instead of a crash.
 *
 * <p>Not thread-safe; a request is handled by one thread at a time.
 *
 * @param type the command string, e.g. {@code create_buffer_request}
 * @param json the whole request object
 */
public record Request(String type, ObjectNode json) {

  /**
   * Whether a field is present and not null.
   *
   * @param field the field name
   * @return true when present
   */
  public boolean has(String field) {
    JsonNode n = json.get(field);
    return n != null && !n.isNull();
  }

  /**
   * A required unsigned 64-bit field (an id or a size).
   *
   * @param field the field name
   * @return the value, unsigned in a long
   */
  public long requireUnsigned(String field) {
    JsonNode n = json.get(field);
    if (n == null || n.isNull()) {
      throw missing(field);
    }
    return unsigned(n, field);
  }

  /**
   * An optional unsigned 64-bit field.
   *
   * @param field the field name
   * @param fallback the value when absent
   * @return the value
   */
  public long unsigned(String field, long fallback) {
    JsonNode n = json.get(field);
    return (n == null || n.isNull()) ? fallback : unsigned(n, field);
  }

  /**
   * A required size: a non-negative integer that fits a signed long.
   *
   * @param field the field name
   * @return the size
   */
  public long requireSize(String field) {
    long v = requireUnsigned(field);
    if (v < 0) {
      throw CellarException.invalid(
          "Field '" + field + "' of " + type + " is too large: " + Long.toUnsignedString(v));
    }
    return v;
  }

  /**
   * An optional signed integer field.
   *
   * @param field the field name
   * @param fallback the value when absent
   * @return the value
   */
  public long integer(String field, long fallback) {
    JsonNode n = json.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isIntegralNumber() || !n.canConvertToLong()) {
      throw wrongType(field, "an integer", n);
    }
    return n.longValue();
  }

  /**
   * An optional boolean field.
   *
   * @param field the field name
   * @param fallback the value when absent
   * @return the value
   */
  public boolean bool(String field, boolean fallback) {
    JsonNode n = json.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isBoolean()) {
      throw wrongType(field, "a boolean", n);
    }
    return n.booleanValue();
  }

  /**
   * A required boolean field.
   *
   * @param field the field name
   * @return the value
   */
  public boolean requireBool(String field) {
    if (!has(field)) {
      throw missing(field);
    }
    return bool(field, false);
  }

  /**
   * An optional string field.
   *
   * @param field the field name
   * @param fallback the value when absent
   * @return the value
   */
  public String string(String field, String fallback) {
    JsonNode n = json.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isTextual()) {
      throw wrongType(field, "a string", n);
    }
    return n.textValue();
  }

  /**
   * A required string field.
   *
   * @param field the field name
   * @return the value
   */
  public String requireString(String field) {
    if (!has(field)) {
      throw missing(field);
    }
    return string(field, null);
  }

  /**
   * A required JSON object field.
   *
   * @param field the field name
   * @return the object node (shared with the request)
   */
  public ObjectNode requireObject(String field) {
    JsonNode n = json.get(field);
    if (n == null || n.isNull()) {
      throw missing(field);
    }
    if (!(n instanceof ObjectNode o)) {
      throw wrongType(field, "an object", n);
    }
    return o;
  }

  /**
   * An optional JSON object field.
   *
   * @param field the field name
   * @return the object node, or null when absent
   */
  public ObjectNode object(String field) {
    return has(field) ? requireObject(field) : null;
  }

  /**
   * A required array of unsigned 64-bit numbers (ids or sizes). A single number is accepted as an
   * array of one, as some writers send a bare id.
   *
   * @param field the field name
   * @return the values
   */
  public long[] requireUnsignedArray(String field) {
    JsonNode n = json.get(field);
    if (n == null || n.isNull()) {
      throw missing(field);
    }
    if (!n.isArray()) {
      if (n.isNumber() || n.isTextual()) {
        return new long[] {unsigned(n, field)};
      }
      throw wrongType(field, "an array", n);
    }
    long[] out = new long[n.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = unsigned(n.get(i), field + "[" + i + "]");
    }
    return out;
  }

  /**
   * A required array of strings.
   *
   * @param field the field name
   * @return the strings
   */
  public List<String> requireStringArray(String field) {
    JsonNode n = json.get(field);
    if (n == null || n.isNull()) {
      throw missing(field);
    }
    if (!n.isArray()) {
      throw wrongType(field, "an array of strings", n);
    }
    List<String> out = new ArrayList<>(n.size());
    for (JsonNode e : n) {
      if (!e.isTextual()) {
        throw wrongType(field, "an array of strings", n);
      }
      out.add(e.textValue());
    }
    return out;
  }

  /**
   * The ids of a buffer request: {@code num} plus numbered keys {@code "0"}…, or an {@code ids}
   * array (the reference server accepts both).
   *
   * @return the ids in order
   */
  public long[] numberedIds() {
    if (has("ids") && !has("num")) {
      return requireUnsignedArray("ids");
    }
    long num = requireSize("num");
    if (num > json.size()) {
      throw CellarException.invalid(
          "Field 'num' of " + type + " is " + num + " but the message has fewer ids");
    }
    long[] out = new long[(int) num];
    for (int i = 0; i < out.length; i++) {
      String key = Integer.toString(i);
      if (!has(key)) {
        throw missing(key);
      }
      out[i] = unsigned(json.get(key), key);
    }
    return out;
  }

  private long unsigned(JsonNode n, String field) {
    if (!n.isIntegralNumber() && !n.isTextual()) {
      throw wrongType(field, "an unsigned 64-bit integer", n);
    }
    try {
      return UnsignedJson.read(n, field);
    } catch (CellarException e) {
      throw CellarException.invalid(e.getMessage() + " in " + type);
    }
  }

  private CellarException missing(String field) {
    return CellarException.invalid("Missing field '" + field + "' in " + type);
  }

  private CellarException wrongType(String field, String expected, JsonNode got) {
    return CellarException.invalid(
        "Field '" + field + "' of " + type + " must be " + expected + ", got " + got.getNodeType());
  }
}
