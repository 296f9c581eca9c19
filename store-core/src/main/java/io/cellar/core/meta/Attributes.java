package io.cellar.core.meta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The plain fields of a {@link StoredObject}, in the order they were given: the part of an {@code
 * ObjectNode} the tree needs, in two arrays. Every object of the store has one, and a small object
 * has half a dozen fields, for which an {@code ObjectNode}'s linked hash map costs about four times
 * the memory (a map entry per field and a table); lookups are by linear search, which for the few
 * names asked for ({@code typename}, {@code signature}, ...) is as fast at these sizes.
 *
 * <p>The values are shared with whoever gave them, so they must not be changed in place: they are
 * replaced with {@link #set} (Jackson's value nodes are immutable). Not thread-safe: owned by a
 * stored object, touched under {@link MetaTree}'s lock.
 */
final class Attributes {
  private String[] names;
  private JsonNode[] values;
  private int size;

  private Attributes(int capacity) {
    names = new String[capacity];
    values = new JsonNode[capacity];
  }

  /**
   * The fields of a JSON object, in its order; the values are taken, not copied.
   *
   * @param node the fields
   * @return the attributes
   */
  static Attributes of(ObjectNode node) {
    Attributes a = new Attributes(node.size());
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      a.names[a.size] = e.getKey();
      a.values[a.size] = e.getValue();
      a.size++;
    }
    return a;
  }

  private int indexOf(String name) {
    for (int i = 0; i < size; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * A field's value.
   *
   * @param name the field
   * @return the value, or null when absent
   */
  JsonNode get(String name) {
    int i = indexOf(name);
    return i < 0 ? null : values[i];
  }

  /**
   * A field's value, as {@link ObjectNode#path} gives it.
   *
   * @param name the field
   * @return the value, or the missing node when absent
   */
  JsonNode path(String name) {
    JsonNode v = get(name);
    return v == null ? MissingNode.getInstance() : v;
  }

  /**
   * Whether a field is present.
   *
   * @param name the field
   * @return true when present
   */
  boolean has(String name) {
    return indexOf(name) >= 0;
  }

  /**
   * Sets a field: a present one keeps its place, a new one goes last.
   *
   * @param name the field
   * @param value its value, not null
   */
  void set(String name, JsonNode value) {
    int i = indexOf(name);
    if (i >= 0) {
      values[i] = value;
      return;
    }
    if (size == names.length) {
      int capacity = size + Math.max(2, size / 2);
      names = Arrays.copyOf(names, capacity);
      values = Arrays.copyOf(values, capacity);
    }
    names[size] = name;
    values[size] = value;
    size++;
  }

  /**
   * Removes a field if present; the others keep their order.
   *
   * @param name the field
   */
  void remove(String name) {
    int i = indexOf(name);
    if (i < 0) {
      return;
    }
    System.arraycopy(names, i + 1, names, i, size - i - 1);
    System.arraycopy(values, i + 1, values, i, size - i - 1);
    size--;
    names[size] = null;
    values[size] = null;
  }

  /**
   * Calls {@code action} for each field, in order.
   *
   * @param action takes the name and the value
   */
  void forEach(BiConsumer<String, JsonNode> action) {
    for (int i = 0; i < size; i++) {
      action.accept(names[i], values[i]);
    }
  }

  /**
   * The fields as a new JSON object, each value a deep copy.
   *
   * @return a new object node
   */
  ObjectNode toObjectNode() {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    forEach((name, value) -> out.set(name, value.deepCopy()));
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Attributes a && toObjectNode().equals(a.toObjectNode());
  }

  @Override
  public int hashCode() {
    return toObjectNode().hashCode();
  }

  @Override
  public String toString() {
    return toObjectNode().toString();
  }
}
