package io.cellar.core.meta.backend;

/**
 * What an instance publishes about itself when it registers ({@code /instances/i<N>/…} in the
 * reference's layout), so that clients and other instances can reach it.
 *
 * @param hostname the host's name
 * @param nodename the Kubernetes node name (the hostname outside Kubernetes)
 * @param ipcSocket the IPC socket path
 * @param rpcEndpoint {@code host:port} of the RPC server, or empty when RPC is off
 * @param hostId a number identifying this host and process (the reference's {@code hostid})
 */
public record InstanceFacts(
    String hostname, String nodename, String ipcSocket, String rpcEndpoint, long hostId) {

  /** What an embedded store with no sockets publishes: nothing to reach it by. */
  public static final InstanceFacts NONE = new InstanceFacts("", "", "", "", 0);
}
