package io.cellar.core.meta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.id.IdGenerator;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.StatusCode;
import io.cellar.protocol.UnsignedJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;

/**
 * Turns an incoming {@code create_data} tree into stored objects, with the reference's checks
 * ({@code vineyard_server.cc} {@code validate_metadata}, {@code put_members_recursively}; {@code
 * meta_tree.cc} {@code diff_data_meta_tree}):
 *
 * <ul>
 *   <li>{@code typename} is required (MetaTreeInvalid 21) and must not be {@code vineyard::Blob}
 *       (AssertionFailed 7); {@code instance_id} is required (AssertionFailed 7);
 *   <li>every object-valued field is a member: a blob ({@code id} with bit 63; its {@code
 *       instance_id} is kept in the link), an existing object ({@code id}, possibly a placeholder
 *       {@code {"id": "o…"}}; ObjectNotExists 12 when unknown), or a new object (no {@code id}),
 *       created first, recursively, with its own new id;
 *   <li>a local object's members must share its instance (GlobalObjectInvalid 51); a {@code global}
 *       object may mix instances, its instance id then becomes 2^64-1, but may not have global
 *       members (GlobalObjectInvalid 51);
 *   <li>a new id; a new signature unless given; {@code __timestamp} in ms; {@code transient} as
 *       given, default true. A top-level {@code id} from the client is ignored.
 * </ul>
 *
 * <p>A member given with full content and an id the tree does not hold is an error here
 * (ObjectNotExists), where the reference would create it under that id. Existing members are linked
 * as they are; the reference would also apply changed fields of theirs.
 *
 * <p>Nothing is changed by ingesting: the caller commits the returned objects. Not thread-safe;
 * used under {@link MetaTree}'s lock.
 */
final class ObjectTreeIngest {
  private final IdGenerator ids;
  private final LongSupplier clockMillis;
  private final LongFunction<StoredObject> existing;

  ObjectTreeIngest(IdGenerator ids, LongSupplier clockMillis, LongFunction<StoredObject> existing) {
    this.ids = ids;
    this.clockMillis = clockMillis;
    this.existing = existing;
  }

  /**
   * Builds the objects of one tree.
   *
   * @param content the incoming tree
   * @param out receives the new objects, members before the objects that hold them; the top-level
   *     object last
   */
  void ingest(ObjectNode content, List<StoredObject> out) {
    build(content, out);
  }

  private StoredObject build(ObjectNode tree, List<StoredObject> out) {
    JsonNode typename = tree.get(StoredObject.TYPENAME);
    if (typename == null || !typename.isTextual()) {
      throw new CellarException(
          StatusCode.META_TREE_INVALID, "No 'typename' field in incoming metadata");
    }
    if (StoredObject.BLOB_TYPENAME.equals(typename.textValue())) {
      throw new CellarException(StatusCode.ASSERTION_FAILED, "Blob has no metadata");
    }
    if (!tree.has(StoredObject.INSTANCE_ID)) {
      throw new CellarException(
          StatusCode.ASSERTION_FAILED, "The instance_id field must be presented");
    }
    final long declaredInstance = UnsignedJson.field(tree, StoredObject.INSTANCE_ID);
    JsonNode globalNode = tree.get(StoredObject.GLOBAL);
    final boolean global = globalNode != null && globalNode.asBoolean(false);
    long instance = declaredInstance;

    ObjectNode attributes = JsonNodeFactory.instance.objectNode();
    attributes.set(StoredObject.TRANSIENT, BooleanNode.TRUE);
    Map<String, MemberLink> members = new LinkedHashMap<>();
    List<StoredObject> created = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : tree.properties()) {
      String key = field.getKey();
      JsonNode value = field.getValue();
      if (key.equals("id")) {
        continue;
      }
      if (!value.isObject()) {
        attributes.set(key, value.deepCopy());
        continue;
      }
      ObjectNode member = (ObjectNode) value;
      long memberId;
      long memberInstance;
      boolean memberGlobal;
      if (member.has("id")) {
        memberId = UnsignedJson.field(member, "id");
        if (ObjectIds.isBlob(memberId)) {
          if (member.size() == 1) {
            throw new CellarException(
                StatusCode.META_TREE_INVALID, "The blobs cannot be added as a 'placeholder'.");
          }
          memberInstance = UnsignedJson.field(member, StoredObject.INSTANCE_ID);
          memberGlobal = false;
        } else {
          StoredObject target = existing.apply(memberId);
          if (target == null) {
            throw CellarException.notExists(
                "object "
                    + ObjectIds.toText(memberId)
                    + " referred by field '"
                    + key
                    + "' does not exist");
          }
          memberInstance = target.instanceId();
          memberGlobal = target.isGlobal() || member.path(StoredObject.GLOBAL).asBoolean(false);
        }
      } else {
        StoredObject fresh = build(member, created);
        memberId = fresh.id;
        memberInstance = fresh.instanceId();
        memberGlobal = fresh.isGlobal();
      }
      if (!global && instance != memberInstance) {
        throw new CellarException(
            StatusCode.GLOBAL_OBJECT_INVALID, "Local object cannot refer remote objects");
      }
      if (global && memberGlobal) {
        throw new CellarException(
            StatusCode.GLOBAL_OBJECT_INVALID, "Global object cannot have nested structure");
      }
      if (instance != memberInstance) {
        instance = ObjectIds.UNSPECIFIED_INSTANCE;
      }
      members.put(key, new MemberLink(memberId, memberInstance));
    }
    long signature =
        tree.has(StoredObject.SIGNATURE)
            ? UnsignedJson.field(tree, StoredObject.SIGNATURE)
            : ids.nextSignature();
    UnsignedJson.put(attributes, StoredObject.SIGNATURE, signature);
    UnsignedJson.put(attributes, StoredObject.INSTANCE_ID, instance);
    attributes.set(StoredObject.TIMESTAMP, LongNode.valueOf(clockMillis.getAsLong()));
    StoredObject object = new StoredObject(ids.nextObjectId(), attributes, members);
    out.addAll(created);
    out.add(object);
    return object;
  }
}
