package io.cellar.server.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.Store;
import io.cellar.core.StoreStatus;
import io.cellar.core.meta.backend.InstanceFacts;
import io.cellar.core.meta.backend.InstanceRecord;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.UnsignedJson;
import io.cellar.server.protocol.Replies;
import io.cellar.server.protocol.Request;
import java.util.function.Supplier;

/**
 * Status and coordination commands (reference §2.4): {@code cluster_meta} (request and reply share
 * the type string), {@code instance_status_request}, {@code debug_command}, and the metadata locks,
 * which always succeed with local metadata.
 *
 * <p>Thread-safe: the {@link Store} and the counters are thread-safe; the identity is immutable.
 */
public final class StatusCommands {
  private final Store store;
  private final Supplier<ServerIdentity> identity;
  private final ServerCounters counters;

  /**
   * Handlers over a store.
   *
   * @param store the store
   * @param identity this server's identity, read at each request (endpoints are known only once
   *     bound)
   * @param counters live connection and request counters
   */
  public StatusCommands(Store store, Supplier<ServerIdentity> identity, ServerCounters counters) {
    this.store = store;
    this.identity = identity;
    this.counters = counters;
  }

  /**
   * Adds this family's commands.
   *
   * @param table the table to fill
   */
  public void registerInto(CommandTable table) {
    table
        .add("cluster_meta", this::clusterMeta)
        .add("instance_status_request", this::instanceStatus)
        .add("debug_command", this::debug)
        .add("acquire_lock_request", this::acquireLock)
        .add("release_lock_request", this::releaseLock);
  }

  /**
   * The one {@code i<N>} entry of this instance, as the reference registers it.
   *
   * @return a new object
   */
  ObjectNode instanceEntry() {
    ServerIdentity id = identity.get();
    ObjectNode entry = JsonArrays.array().objectNode();
    UnsignedJson.put(entry, "hostid", id.hostId());
    entry.put("hostname", id.hostname());
    entry.put("ipc_socket", id.ipcSocket());
    entry.put("nodename", id.nodename());
    entry.put("rpc_endpoint", id.rpcEndpoint());
    entry.put("timestamp", referenceTimestamp(id.startMillis()));
    return entry;
  }

  /**
   * Every instance of the cluster as the metadata backend lists it: this one as {@link
   * #instanceEntry()}, the others from what they registered, their {@code timestamp} in the
   * reference's form ({@code (seconds << 32) + microseconds}).
   */
  private Reply clusterMeta(Request r, Connection c) {
    ObjectNode reply = Replies.ok("cluster_meta");
    ObjectNode meta = reply.putObject("meta");
    long self = identity.get().instanceId();
    meta.set(ObjectIds.instanceText(self), instanceEntry());
    for (InstanceRecord record : store.instances()) {
      if (record.instanceId() != self) {
        meta.set(ObjectIds.instanceText(record.instanceId()), entryOf(record));
      }
    }
    return Reply.of(reply);
  }

  private static ObjectNode entryOf(InstanceRecord record) {
    InstanceFacts facts = record.facts();
    ObjectNode entry = JsonArrays.array().objectNode();
    UnsignedJson.put(entry, "hostid", facts.hostId());
    entry.put("hostname", facts.hostname());
    entry.put("ipc_socket", facts.ipcSocket());
    entry.put("nodename", facts.nodename());
    entry.put("rpc_endpoint", facts.rpcEndpoint());
    entry.put("timestamp", referenceTimestamp(record.timestamp()));
    return entry;
  }

  /** The reference's timestamp form: {@code (seconds << 32) + microseconds}. */
  private static long referenceTimestamp(long millis) {
    return ((millis / 1000) << 32) + (millis % 1000) * 1000;
  }

  private Reply instanceStatus(Request r, Connection c) {
    StoreStatus status = store.status();
    ServerIdentity id = identity.get();
    ObjectNode reply = Replies.ok("instance_status_reply");
    ObjectNode meta = reply.putObject("meta");
    meta.put("deferred_requests", counters.deferredRequests().get());
    meta.put("deployment", id.deployment());
    UnsignedJson.put(meta, "instance_id", id.instanceId());
    meta.put("ipc_connections", counters.ipcConnections().get());
    meta.put("memory_backing", status.memoryBacking());
    meta.put("memory_limit", status.memoryLimit());
    meta.put("memory_usage", status.memoryUsage());
    meta.put("rpc_connections", counters.rpcConnections().get());
    return Reply.of(reply);
  }

  private Reply debug(Request r, Connection c) {
    ObjectNode reply = Replies.ok("debug_reply");
    reply.putNull("result");
    return Reply.of(reply);
  }

  private Reply acquireLock(Request r, Connection c) {
    String key = r.requireString("key");
    ObjectNode reply = Replies.ok("acquire_lock_reply");
    reply.put("key", key);
    reply.put("result", true);
    return Reply.of(reply);
  }

  private Reply releaseLock(Request r, Connection c) {
    r.requireString("key");
    return Reply.of(Replies.ok("release_lock_reply").put("result", true));
  }
}
