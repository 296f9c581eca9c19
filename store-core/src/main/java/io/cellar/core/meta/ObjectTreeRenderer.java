package io.cellar.core.meta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.UnsignedJson;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongFunction;

/**
 * Renders stored objects in the shape {@code get_data} returns ({@code meta_tree.cc} {@code
 * GetData}): all attributes, {@code id} as the {@code o…} string, member objects expanded inline
 * recursively, blob members as {@code length: 0} stubs carrying the link's instance id. Keys come
 * out sorted, as the reference's JSON does.
 *
 * <p>Stateless apart from the lookup; used under {@link MetaTree}'s lock.
 */
final class ObjectTreeRenderer {
  private final LongFunction<StoredObject> lookup;

  ObjectTreeRenderer(LongFunction<StoredObject> lookup) {
    this.lookup = lookup;
  }

  /**
   * An object's name as the reference shows it in {@code __name}: escaped as a JSON pointer token
   * ({@code ~} as {@code ~0}, {@code /} as {@code ~1}), so {@code a/b} reads {@code a~1b}. Names
   * themselves ({@code get_name}, {@code list_name}) are not escaped.
   */
  static String nameAsTheReferenceWritesIt(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }

  /** The full tree of a stored object. */
  ObjectNode render(StoredObject object) {
    Map<String, JsonNode> fields = new TreeMap<>();
    object.attributes.forEach((name, value) -> fields.put(name, value.deepCopy()));
    for (Map.Entry<String, MemberLink> m : object.members.entrySet()) {
      MemberLink link = m.getValue();
      if (ObjectIds.isBlob(link.id())) {
        fields.put(m.getKey(), blobStub(link.id(), link.instanceId(), 0));
      } else {
        StoredObject member = lookup.apply(link.id());
        // a member cannot be deleted while linked; a placeholder keeps a broken link visible
        fields.put(
            m.getKey(),
            member == null
                ? JsonNodeFactory.instance.objectNode().put("id", ObjectIds.toText(link.id()))
                : render(member));
      }
    }
    fields.put("id", TextNode.valueOf(ObjectIds.toText(object.id)));
    if (fields.get(StoredObject.NAME) instanceof TextNode name) {
      fields.put(StoredObject.NAME, TextNode.valueOf(nameAsTheReferenceWritesIt(name.textValue())));
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    fields.forEach(out::set);
    return out;
  }

  /**
   * The metadata of a blob as the reference synthesizes it, keys sorted.
   *
   * @param id the blob id
   * @param instanceId the instance holding the blob
   * @param length the blob length (0 for a member stub)
   * @return a new node
   */
  static ObjectNode blobStub(long id, long instanceId, long length) {
    ObjectNode stub = JsonNodeFactory.instance.objectNode();
    stub.set("id", TextNode.valueOf(ObjectIds.toText(id)));
    UnsignedJson.put(stub, StoredObject.INSTANCE_ID, instanceId);
    stub.set("length", LongNode.valueOf(length));
    stub.set("nbytes", LongNode.valueOf(length));
    stub.set(StoredObject.TRANSIENT, BooleanNode.TRUE);
    stub.set(StoredObject.TYPENAME, TextNode.valueOf(StoredObject.BLOB_TYPENAME));
    return stub;
  }
}
