package io.cellar.server.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** New JSON arrays for replies. Stateless and thread-safe. */
final class JsonArrays {
  private JsonArrays() {}

  static ArrayNode array() {
    return JsonNodeFactory.instance.arrayNode();
  }
}
