package io.cellar.client.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * JSON text exactly as Python's {@code json.dumps} writes it with its defaults, which is how the
 * Python builders store attributes such as {@code shape_} ({@code "[2, 3]"}), {@code order_}
 * ({@code "\"C\""}) and column names ({@code "\"a\""}): {@code ", "} between items, {@code ": "}
 * between key and value, non-ASCII characters escaped as {@code \\uXXXX}.
 *
 * <p>Stateless and thread-safe.
 */
public final class PythonJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private PythonJson() {}

  /**
   * {@code json.dumps(value)} for {@code null}, booleans, integers, strings and lists of those.
   *
   * @param value the value ({@link List}, {@code long[]}, {@link String}, {@link Number}, {@link
   *     Boolean} or null)
   * @return the JSON text
   */
  public static String dumps(Object value) {
    StringBuilder out = new StringBuilder();
    write(out, value);
    return out.toString();
  }

  private static void write(StringBuilder out, Object value) {
    switch (value) {
      case null -> out.append("null");
      case Boolean b -> out.append(b ? "true" : "false");
      case Double d -> out.append(pythonFloat(d));
      case Float f -> out.append(pythonFloat(f.doubleValue()));
      case Number n -> out.append(n.longValue());
      case String s -> writeString(out, s);
      case long[] longs -> {
        out.append('[');
        for (int i = 0; i < longs.length; i++) {
          if (i > 0) {
            out.append(", ");
          }
          out.append(longs[i]);
        }
        out.append(']');
      }
      case List<?> list -> {
        out.append('[');
        for (int i = 0; i < list.size(); i++) {
          if (i > 0) {
            out.append(", ");
          }
          write(out, list.get(i));
        }
        out.append(']');
      }
      default ->
          throw new IllegalArgumentException("cannot write " + value.getClass() + " as JSON");
    }
  }

  private static String pythonFloat(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    return Double.toString(d);
  }

  private static void writeString(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /**
   * {@code json.loads(text)}.
   *
   * @param text JSON text
   * @return the parsed tree
   * @throws IllegalArgumentException when the text is not JSON
   */
  public static JsonNode loads(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + text, e);
    }
  }
}
