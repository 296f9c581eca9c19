package io.cellar.core.meta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.UnsignedJson;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongFunction;

/**
 * The way the reference writes an object to its backend ({@code meta_tree.cc} {@code
 * generate_persist_ops}, {@code encode_value}, {@code generate_link}), both ways: string values
 * prefixed {@code v}, numbers, booleans and arrays as they are, members as {@code l<o-id>.<short
 * type>} (a global object's members may also come as {@code l<s-signature>.<short type>}), blob
 * members as {@code l<o-id>.vineyard::Blob@<instance>}, no {@code id}; the short type is the type
 * name cut at its first {@code <}.
 *
 * <p>Stateless; used under {@link MetaTree}'s lock.
 */
final class PersistedForm {
  private PersistedForm() {}

  /** Where a decoded link points. */
  interface Links {
    /** The object with an id, in the tree or earlier in the same batch, or null. */
    StoredObject object(long id);

    /** The object carrying a signature, or null. */
    Long signatureObject(long signature);
  }

  /** An encoded object that cannot be decoded, with the reason. */
  static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    /** Whether the object is sound but links to an object not (yet) known. */
    final boolean danglingLink;

    Malformed(String reason, boolean danglingLink) {
      super(reason, null, false, false);
      this.danglingLink = danglingLink;
    }
  }

  /**
   * Encodes an object as the reference writes it to {@code /data/<oid>}: its fields in byte order
   * of their names (the reference's JSON object is a sorted map), without {@code __name} (the
   * reference keeps the name in {@code /data/<oid>/__name} and {@code /names/} only).
   */
  static ObjectNode encode(StoredObject object, LongFunction<StoredObject> lookup) {
    TreeMap<String, JsonNode> fields = new TreeMap<>(PersistedForm::byteOrder);
    object.attributes.forEach(
        (name, v) -> {
          if (!name.equals(StoredObject.NAME)) {
            fields.put(name, v.isTextual() ? TextNode.valueOf("v" + v.textValue()) : v.deepCopy());
          }
        });
    fields.put(StoredObject.TRANSIENT, BooleanNode.FALSE);
    for (Map.Entry<String, MemberLink> m : object.members.entrySet()) {
      MemberLink link = m.getValue();
      String id = ObjectIds.toText(link.id());
      String text;
      if (ObjectIds.isBlob(link.id())) {
        text =
            "l"
                + id
                + "."
                + StoredObject.BLOB_TYPENAME
                + "@"
                + Long.toUnsignedString(link.instanceId());
      } else {
        StoredObject member = lookup.apply(link.id());
        String type = member == null ? "" : member.typename();
        int cut = type.indexOf('<');
        text = "l" + id + "." + (cut < 0 ? type : type.substring(0, cut));
      }
      fields.put(m.getKey(), TextNode.valueOf(text));
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.setAll(fields);
    return out;
  }

  /** The order of {@code std::string} keys: unsigned bytes of their UTF-8 forms. */
  static int byteOrder(String a, String b) {
    return Arrays.compareUnsigned(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Decodes an object another instance persisted.
   *
   * @param id the object id
   * @param encoded the persisted encoding; not retained or changed
   * @param links resolves member links
   * @return the object, {@code transient: false}
   * @throws Malformed when it is not an object in this encoding (not an object, a string without a
   *     prefix, a nested object, an unreadable link, no {@code typename}, {@code instance_id} or
   *     {@code signature}), or links to an object or signature nobody knows
   */
  static StoredObject decode(long id, JsonNode encoded, Links links) throws Malformed {
    if (ObjectIds.isBlob(id)) {
      throw new Malformed("a blob id cannot name a persisted object", false);
    }
    if (!(encoded instanceof ObjectNode tree)) {
      throw new Malformed("not a JSON object: " + brief(encoded), false);
    }
    ObjectNode attributes = JsonNodeFactory.instance.objectNode();
    Map<String, MemberLink> members = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : tree.properties()) {
      String key = field.getKey();
      JsonNode value = field.getValue();
      if (key.equals("id")) {
        continue;
      }
      if (value.isObject()) {
        throw new Malformed("field '" + key + "' holds a nested object", false);
      }
      if (!value.isTextual()) {
        attributes.set(key, value.deepCopy());
        continue;
      }
      String text = value.textValue();
      if (text.startsWith("v")) {
        attributes.put(key, text.substring(1));
      } else if (text.startsWith("l")) {
        members.put(key, link(key, text, links));
      } else {
        throw new Malformed("field '" + key + "' is neither a value nor a link: " + text, false);
      }
    }
    JsonNode typename = attributes.get(StoredObject.TYPENAME);
    if (typename == null || !typename.isTextual()) {
      throw new Malformed("no typename", false);
    }
    if (StoredObject.BLOB_TYPENAME.equals(typename.textValue())) {
      throw new Malformed("a blob has no metadata of its own", false);
    }
    for (String required : new String[] {StoredObject.INSTANCE_ID, StoredObject.SIGNATURE}) {
      JsonNode n = attributes.get(required);
      if (n == null || n.isTextual()) {
        throw new Malformed("no numeric " + required, false);
      }
      try {
        UnsignedJson.put(attributes, required, UnsignedJson.field(attributes, required));
      } catch (CellarException e) {
        throw new Malformed(e.getMessage(), false);
      }
    }
    attributes.set(StoredObject.TRANSIENT, BooleanNode.FALSE);
    return new StoredObject(id, attributes, members);
  }

  private static MemberLink link(String key, String text, Links links) throws Malformed {
    int dot = text.indexOf('.');
    if (dot < 2) {
      throw new Malformed("field '" + key + "' is not a link: " + text, false);
    }
    String ref = text.substring(1, dot);
    String type = text.substring(dot + 1);
    long target;
    try {
      target = ObjectIds.parseText(ref);
    } catch (IllegalArgumentException e) {
      throw new Malformed("field '" + key + "' links to no id: " + text, false);
    }
    int at = type.lastIndexOf('@');
    if (ref.charAt(0) == 'o' && ObjectIds.isBlob(target)) {
      if (at < 0) {
        throw new Malformed("blob link '" + key + "' has no instance: " + text, false);
      }
      try {
        return new MemberLink(target, Long.parseUnsignedLong(type.substring(at + 1)));
      } catch (NumberFormatException e) {
        throw new Malformed("blob link '" + key + "' has no instance number: " + text, false);
      }
    }
    if (ref.charAt(0) == 's') {
      Long object = links.signatureObject(target);
      if (object == null) {
        throw new Malformed("field '" + key + "' links to an unknown signature: " + ref, true);
      }
      target = object;
    } else if (ref.charAt(0) != 'o') {
      throw new Malformed("field '" + key + "' links to no id: " + text, false);
    }
    StoredObject member = links.object(target);
    if (member == null) {
      throw new Malformed(
          "field '" + key + "' links to an object that does not exist: " + ObjectIds.toText(target),
          true);
    }
    return new MemberLink(target, member.instanceId());
  }

  private static String brief(JsonNode node) {
    String s = String.valueOf(node);
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }
}
