package io.cellar.server.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.Store;
import io.cellar.protocol.UnsignedJson;
import io.cellar.server.protocol.Replies;
import io.cellar.server.protocol.Request;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Name commands (reference §2.5): put, get (with {@code wait} parked on the store), list, drop. Put
 * and drop are answered once the store has shared them ({@link Reply#after}).
 *
 * <p>Thread-safe: the {@link Store} is thread-safe and no other state is kept.
 */
public final class NameCommands {
  private final Store store;
  private final AtomicLong deferred;

  /**
   * Handlers over a store.
   *
   * @param store the store
   * @param counters where parked requests are counted
   */
  public NameCommands(Store store, ServerCounters counters) {
    this.store = store;
    this.deferred = counters.deferredRequests();
  }

  /**
   * Adds this family's commands.
   *
   * @param table the table to fill
   */
  public void registerInto(CommandTable table) {
    table
        .add("put_name_request", this::putName)
        .add("get_name_request", this::getName)
        .add("list_name_request", this::listNames)
        .add("drop_name_request", this::dropName);
  }

  private Reply putName(Request r, Connection c) {
    long id = r.requireUnsigned("object_id");
    return Reply.after(
        store.putName(r.requireString("name"), id), v -> Reply.of(Replies.ok("put_name_reply")));
  }

  private Reply getName(Request r, Connection c) {
    String name = r.requireString("name");
    if (r.requireBool("wait")) {
      return Reply.deferred(Parking.park(store.awaitName(name), NameCommands::nameReply, deferred));
    }
    return nameReply(store.getName(name));
  }

  private static Reply nameReply(long id) {
    ObjectNode reply = Replies.ok("get_name_reply");
    UnsignedJson.put(reply, "object_id", id);
    return Reply.of(reply);
  }

  private Reply listNames(Request r, Connection c) {
    String pattern = r.requireString("pattern");
    boolean regex = r.bool("regex", false);
    long limit = r.requireSize("limit");
    Map<String, Long> names =
        store.listNames(pattern, regex, (int) Math.min(limit, Integer.MAX_VALUE));
    ObjectNode reply = Replies.ok("list_name_reply");
    ObjectNode out = reply.putObject("names");
    names.forEach((k, v) -> UnsignedJson.put(out, k, v));
    reply.put("size", names.size());
    return Reply.of(reply);
  }

  private Reply dropName(Request r, Connection c) {
    return Reply.after(
        store.dropName(r.requireString("name")), v -> Reply.of(Replies.ok("drop_name_reply")));
  }
}
