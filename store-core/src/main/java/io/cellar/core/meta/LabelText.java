package io.cellar.core.meta;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The {@code __labels} field: a JSON object of string labels, kept as JSON text in a string field,
 * as the reference does. Stateless and thread-safe.
 */
final class LabelText {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LabelText() {}

  /**
   * Merges labels into the text of a {@code __labels} field.
   *
   * @param current the current text, empty or malformed meaning none
   * @param keys keys
   * @param values values, as many as keys
   * @return the new compact JSON text
   */
  static String merge(String current, List<String> keys, List<String> values) {
    ObjectNode labels = JSON.createObjectNode();
    if (!current.isEmpty()) {
      try {
        JsonNode parsed = JSON.readTree(current);
        if (parsed instanceof ObjectNode o) {
          labels = o;
        }
      } catch (JsonProcessingException e) {
        // a malformed field is replaced
      }
    }
    for (int i = 0; i < keys.size(); i++) {
      labels.put(keys.get(i), values.get(i));
    }
    return labels.toString();
  }
}
