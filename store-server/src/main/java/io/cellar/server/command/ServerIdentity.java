package io.cellar.server.command;

/**
 * Facts about this server that replies report: {@code register_reply}, {@code cluster_meta} and
 * {@code instance_status}. Immutable.
 *
 * @param version the protocol version reported to clients, {@link
 *     io.cellar.protocol.VineyardVersion#VALUE}
 * @param instanceId this instance's id (0 with local metadata)
 * @param ipcSocket the IPC socket path
 * @param rpcEndpoint {@code <hostname>:<port>}, or {@code 0.0.0.0:0} when RPC is off
 * @param hostname the host name ({@code MY_HOST_NAME} or the kernel's)
 * @param nodename the node name ({@code MY_NODE_NAME} or the host name)
 * @param hostId a number identifying this host and start
 * @param deployment {@code local} or {@code distributed}
 * @param supportRpcCompression whether RPC transfers may use zstd
 * @param startMillis when the server started, ms since the epoch
 */
public record ServerIdentity(
    String version,
    long instanceId,
    String ipcSocket,
    String rpcEndpoint,
    String hostname,
    String nodename,
    long hostId,
    String deployment,
    boolean supportRpcCompression,
    long startMillis) {

  /**
   * A copy with the RPC endpoint set, once the port is bound.
   *
   * @param endpoint the endpoint
   * @return the copy
   */
  public ServerIdentity withRpcEndpoint(String endpoint) {
    return new ServerIdentity(
        version,
        instanceId,
        ipcSocket,
        endpoint,
        hostname,
        nodename,
        hostId,
        deployment,
        supportRpcCompression,
        startMillis);
  }

  /**
   * A copy with the IPC socket path set, once bound.
   *
   * @param socket the path
   * @return the copy
   */
  public ServerIdentity withIpcSocket(String socket) {
    return new ServerIdentity(
        version,
        instanceId,
        socket,
        rpcEndpoint,
        hostname,
        nodename,
        hostId,
        deployment,
        supportRpcCompression,
        startMillis);
  }
}
