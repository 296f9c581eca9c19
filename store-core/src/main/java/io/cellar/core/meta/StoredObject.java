package io.cellar.core.meta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.UnsignedJson;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One object in the tree: its plain attributes (every non-member field, including {@code typename},
 * {@code signature}, {@code instance_id}, {@code transient} and {@code __timestamp}, but never
 * {@code id}) and its member links by field name.
 *
 * <p>Not thread-safe: owned by {@link MetaTree} and touched only under its lock.
 */
final class StoredObject {
  static final String TYPENAME = "typename";
  static final String SIGNATURE = "signature";
  static final String INSTANCE_ID = "instance_id";
  static final String TRANSIENT = "transient";
  static final String GLOBAL = "global";
  static final String TIMESTAMP = "__timestamp";
  static final String NAME = "__name";
  static final String LABELS = "__labels";
  static final String BLOB_TYPENAME = "vineyard::Blob";

  final long id;
  final Attributes attributes;
  final Map<String, MemberLink> members;

  StoredObject(long id, ObjectNode attributes, Map<String, MemberLink> members) {
    this.id = id;
    this.attributes = Attributes.of(attributes);
    this.members = new LinkedHashMap<>(members);
  }

  String typename() {
    return attributes.path(TYPENAME).asText();
  }

  long signature() {
    return UnsignedJson.read(attributes.get(SIGNATURE), SIGNATURE);
  }

  long instanceId() {
    return UnsignedJson.read(attributes.get(INSTANCE_ID), INSTANCE_ID);
  }

  boolean isGlobal() {
    JsonNode g = attributes.get(GLOBAL);
    return g != null && g.isBoolean() && g.booleanValue();
  }

  boolean isTransient() {
    JsonNode t = attributes.get(TRANSIENT);
    return t == null || !t.isBoolean() || t.booleanValue();
  }
}
