package io.cellar.server.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.Store;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectCreated;
import io.cellar.protocol.UnsignedJson;
import io.cellar.server.migrate.ObjectMigration;
import io.cellar.server.protocol.Replies;
import io.cellar.server.protocol.Request;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Metadata commands (reference §2.4): create, get (with {@code wait} parked on the store, and
 * {@code sync_remote} after the backend's sync), list, delete, exists, persist, labels, clear,
 * shallow copy and migrate (blobs pulled from the owner instance over RPC, {@link
 * ObjectMigration}). The changes the store shares with the cluster (delete, persist, label, clear,
 * shallow copy) are answered once shared, through {@link Reply#after}.
 *
 * <p>Thread-safe: the {@link Store} is thread-safe and no other state is kept.
 */
public final class MetadataCommands {
  /** A delete with {@code memory_trim=true} runs on a worker: the trim takes ms per GiB. */
  private static final Placement TRIM_ON_WORKER =
      r -> {
        JsonNode trim = r.json().get("memory_trim");
        return trim != null && trim.isBoolean() && trim.booleanValue();
      };

  private final Store store;
  private final AtomicLong deferred;
  private final ObjectMigration migration;

  /**
   * Handlers over a store.
   *
   * @param store the store
   * @param counters where parked requests are counted
   */
  public MetadataCommands(Store store, ServerCounters counters) {
    this.store = store;
    this.deferred = counters.deferredRequests();
    this.migration = new ObjectMigration(store);
  }

  /**
   * Adds this family's commands.
   *
   * @param table the table to fill
   */
  public void registerInto(CommandTable table) {
    table
        .add("create_data_request", this::createData)
        .add("create_datas_request", this::createDatas)
        .add("get_data_request", this::getData)
        .add("list_data_request", this::listData)
        .add("del_data_request", (r, c) -> delete(r, c, "del_data_reply", false), TRIM_ON_WORKER)
        .add(
            "del_data_with_feedbacks_request",
            (r, c) -> delete(r, c, "del_data_with_feedbacks_reply", true),
            TRIM_ON_WORKER)
        .add("exists_request", this::exists)
        .add("persist_request", this::persist)
        .add("if_persist_request", this::ifPersist)
        .add("label_request", this::label)
        .add("clear_request", this::clear, Placement.WORKER)
        .add("shallow_copy_request", this::shallowCopy)
        .add("migrate_object_request", this::migrate, Placement.WORKER);
  }

  private Reply createData(Request r, Connection c) {
    ObjectCreated created = store.createData(r.requireObject("content"));
    ObjectNode reply = Replies.ok("create_data_reply");
    UnsignedJson.put(reply, "id", created.id());
    UnsignedJson.put(reply, "signature", created.signature());
    UnsignedJson.put(reply, "instance_id", created.instanceId());
    return Reply.of(reply);
  }

  private Reply createDatas(Request r, Connection c) {
    JsonNode contents = r.json().get("contents");
    if (contents == null || !contents.isArray()) {
      throw CellarException.invalid("Field 'contents' of create_datas_request must be an array");
    }
    for (JsonNode content : contents) {
      if (!content.isObject()) {
        throw CellarException.invalid(
            "Field 'contents' of create_datas_request must hold objects, got "
                + content.getNodeType());
      }
    }
    ObjectNode reply = Replies.ok("create_datas_reply");
    ArrayNode ids = JsonArrays.array();
    ArrayNode signatures = JsonArrays.array();
    ArrayNode instances = JsonArrays.array();
    for (JsonNode content : contents) {
      ObjectCreated created = store.createData((ObjectNode) content);
      ids.add(UnsignedJson.node(created.id()));
      signatures.add(UnsignedJson.node(created.signature()));
      instances.add(UnsignedJson.node(created.instanceId()));
    }
    reply.put("num", ids.size());
    reply.set("ids", ids);
    reply.set("signatures", signatures);
    reply.set("instance_ids", instances);
    return Reply.of(reply);
  }

  private Reply getData(Request r, Connection c) {
    long[] ids = r.requireUnsignedArray("id");
    boolean sync = r.bool("sync_remote", false);
    if (r.bool("wait", false)) {
      return Reply.deferred(
          Parking.park(store.awaitData(ids), MetadataCommands::dataReply, deferred));
    }
    if (sync) { // other instances' changes first: at once with local metadata
      return Reply.after(store.syncRemote(), revision -> dataReply(store.getData(ids)));
    }
    return dataReply(store.getData(ids));
  }

  /** {@code content} is null when nothing was found, as the reference writes an empty tree. */
  private static Reply dataReply(ObjectNode content) {
    ObjectNode reply = Replies.ok("get_data_reply");
    if (content.isEmpty()) {
      reply.putNull("content");
    } else {
      reply.set("content", content);
    }
    return Reply.of(reply);
  }

  private Reply listData(Request r, Connection c) {
    String pattern = r.requireString("pattern");
    boolean regex = r.bool("regex", false);
    long limit = r.requireSize("limit");
    return dataReply(store.listData(pattern, regex, (int) Math.min(limit, Integer.MAX_VALUE)));
  }

  private Reply delete(Request r, Connection c, String replyType, boolean feedback) {
    long[] ids = r.requireUnsignedArray("id");
    boolean force = r.bool("force", false);
    boolean deep = r.bool("deep", false);
    boolean fastpath = r.bool("fastpath", false);
    boolean trim = r.bool("memory_trim", false);
    var deleting = store.delete(c.owner(), ids, force, deep, fastpath);
    if (trim) { // the blobs are freed (those nobody maps); give their pages back
      store.trimMemory();
    }
    return Reply.after(
        deleting,
        deleted -> {
          ObjectNode reply = Replies.ok(replyType);
          if (feedback) {
            UnsignedJson.putArray(reply, "deleted_bids", deleted);
          }
          return Reply.of(reply);
        });
  }

  private Reply exists(Request r, Connection c) {
    boolean exists = store.exists(r.requireUnsigned("id"));
    return Reply.of(Replies.ok("exists_reply").put("exists", exists));
  }

  private Reply persist(Request r, Connection c) {
    return Reply.after(
        store.persist(r.requireUnsigned("id")), v -> Reply.of(Replies.ok("persist_reply")));
  }

  private Reply ifPersist(Request r, Connection c) {
    boolean persisted = store.isPersisted(r.requireUnsigned("id"));
    return Reply.of(Replies.ok("if_persist_reply").put("persist", persisted));
  }

  private Reply label(Request r, Connection c) {
    long id = r.requireUnsigned("id");
    var keys = r.requireStringArray("keys");
    var values = r.requireStringArray("values");
    if (keys.size() != values.size()) {
      throw CellarException.invalid(
          "label_request has " + keys.size() + " keys but " + values.size() + " values");
    }
    return Reply.after(store.label(id, keys, values), v -> Reply.of(Replies.ok("label_reply")));
  }

  private Reply clear(Request r, Connection c) {
    return Reply.after(store.clear(), v -> Reply.of(Replies.ok("clear_reply")));
  }

  private Reply shallowCopy(Request r, Connection c) {
    return Reply.after(
        store.shallowCopy(r.requireUnsigned("id"), r.object("extra")),
        target -> {
          ObjectNode reply = Replies.ok("shallow_copy_reply");
          UnsignedJson.put(reply, "target_id", target);
          return Reply.of(reply);
        });
  }

  /** Runs on a worker: pulling blobs from the owner blocks on the network. */
  private Reply migrate(Request r, Connection c) {
    long id = r.requireUnsigned("object_id");
    return Reply.after(
        migration.migrate(id),
        target -> {
          ObjectNode reply = Replies.ok("migrate_object_reply");
          UnsignedJson.put(reply, "object_id", target);
          return Reply.of(reply);
        });
  }
}
