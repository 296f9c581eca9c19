package io.cellar.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellar.protocol.UnsignedJson;

/**
 * What the server said about itself in its {@code register_reply} (reference §2.1).
 *
 * @param instanceId the server's instance id; the client stamps it on metadata it creates
 * @param ipcSocket the server's IPC socket path
 * @param rpcEndpoint {@code host:port} of its RPC service ({@code 0.0.0.0:0} when off)
 * @param sessionId the session this connection belongs to (0 = root)
 * @param version the server's version string
 * @param storeMatch whether the server's store type matches the client's
 * @param supportRpcCompression whether the server accepts zstd-compressed remote buffers
 */
public record ServerInfo(
    long instanceId,
    String ipcSocket,
    String rpcEndpoint,
    long sessionId,
    String version,
    boolean storeMatch,
    boolean supportRpcCompression) {

  /**
   * Reads a {@code register_reply}.
   *
   * @param reply the reply
   * @return the server facts
   */
  public static ServerInfo fromReply(JsonNode reply) {
    return new ServerInfo(
        UnsignedJson.field(reply, "instance_id"),
        reply.path("ipc_socket").asText(""),
        reply.path("rpc_endpoint").asText(""),
        reply.path("session_id").asLong(0),
        reply.path("version").asText(""),
        reply.path("store_match").asBoolean(true),
        reply.path("support_rpc_compression").asBoolean(false));
  }
}
