package io.cellar.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellar.protocol.UnsignedJson;

/**
 * The server's {@code instance_status_reply} (reference §2.4).
 *
 * @param instanceId the instance id
 * @param deployment {@code local} or {@code distributed}
 * @param memoryUsage bytes of shared memory in use
 * @param memoryLimit the shared-memory limit in bytes
 * @param deferredRequests requests parked until they can be answered ({@code wait=true})
 * @param ipcConnections open IPC connections
 * @param rpcConnections open RPC connections
 * @param memoryBacking what holds the server's shared memory ({@code memory_backing}: {@code
 *     hugetlb}, {@code memfd_thp}, {@code huge_tmpfs} or {@code memfd}); empty when the server does
 *     not say (the reference)
 */
public record InstanceStatus(
    long instanceId,
    String deployment,
    long memoryUsage,
    long memoryLimit,
    long deferredRequests,
    long ipcConnections,
    long rpcConnections,
    String memoryBacking) {

  /**
   * Reads the {@code meta} object of an {@code instance_status_reply}.
   *
   * @param meta the object
   * @return the status
   */
  public static InstanceStatus fromMeta(JsonNode meta) {
    return new InstanceStatus(
        meta.has("instance_id") ? UnsignedJson.field(meta, "instance_id") : 0,
        meta.path("deployment").asText(""),
        meta.path("memory_usage").asLong(0),
        meta.path("memory_limit").asLong(0),
        meta.path("deferred_requests").asLong(0),
        meta.path("ipc_connections").asLong(0),
        meta.path("rpc_connections").asLong(0),
        meta.path("memory_backing").asText(""));
  }
}
