package io.cellar.core.meta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.cellar.protocol.ObjectIds;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Encodes a stored object the way the reference writes it to its backend ({@code meta_tree.cc}
 * {@code generate_persist_ops}, {@code encode_value}, {@code generate_link}): string values
 * prefixed {@code v}, numbers and booleans as they are, members as {@code l<o-id>.<short type>},
 * blob members as {@code l<o-id>.vineyard::Blob@<instance>}, no {@code id}.
 *
 * <p>Stateless; used under {@link MetaTree}'s lock.
 */
final class PersistedForm {
  private PersistedForm() {}

  static ObjectNode encode(StoredObject object, LongFunction<StoredObject> lookup) {
    ObjectNode out = object.attributes.objectNode();
    for (Map.Entry<String, JsonNode> e : object.attributes.properties()) {
      JsonNode v = e.getValue();
      out.set(e.getKey(), v.isTextual() ? TextNode.valueOf("v" + v.textValue()) : v.deepCopy());
    }
    out.set(StoredObject.TRANSIENT, BooleanNode.FALSE);
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
      out.set(m.getKey(), TextNode.valueOf(text));
    }
    return out;
  }
}
