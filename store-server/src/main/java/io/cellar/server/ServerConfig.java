package io.cellar.server;

import java.nio.file.Path;

/**
 * How a {@link VineyardServer} listens. Mirrors the daemon's flags; the store is configured
 * separately ({@link io.cellar.core.config.StoreConfig}).
 *
 * @param socket the IPC socket path; empty for vineyardd's default choice
 * @param socketMode permission bits of the socket file, e.g. {@code 0777}
 * @param rpc whether to serve TCP
 * @param rpcHost the TCP address to bind
 * @param rpcPort the TCP port, 0 for any free one
 * @param deployment {@code local} or {@code distributed}, reported by {@code instance_status}
 * @param metricsPort the Prometheus HTTP port, or -1 for none (0 for any free one)
 * @param eventLoops number of epoll event loops, 0 for one per core
 * @param workers number of worker threads for blocking work
 * @param spinMicros how long an event loop keeps polling after I/O before it blocks (0: block)
 * @param logMetrics whether to log a metric line per request ({@code --prometheus})
 * @param htpasswd the htpasswd file RPC clients are checked against, or null for none
 */
public record ServerConfig(
    String socket,
    int socketMode,
    boolean rpc,
    String rpcHost,
    int rpcPort,
    String deployment,
    int metricsPort,
    int eventLoops,
    int workers,
    long spinMicros,
    boolean logMetrics,
    Path htpasswd) {

  /** vineyardd's default TCP port. */
  public static final int DEFAULT_RPC_PORT = 9600;

  /** vineyardd's socket mode after binding. */
  public static final int DEFAULT_SOCKET_MODE = 0777;

  /**
   * Default polling window of an event loop after I/O, in microseconds. A request that finds its
   * loop polling is answered in about 8 us here, against about 20 us when the loop must be woken
   * (and 60 us when the client blocks too); an idle loop blocks, so an idle server costs nothing.
   */
  public static final long DEFAULT_SPIN_MICROS = 50;

  /**
   * A configuration for a socket path with RPC off and everything else at its default.
   *
   * @param socket the IPC socket path
   * @return the configuration
   */
  public static ServerConfig ipcOnly(String socket) {
    return new ServerConfig(
        socket,
        DEFAULT_SOCKET_MODE,
        false,
        "0.0.0.0",
        0,
        "local",
        -1,
        0,
        2,
        DEFAULT_SPIN_MICROS,
        false,
        null);
  }

  /**
   * This configuration with another socket path.
   *
   * @param path the IPC socket path
   * @return the copy
   */
  public ServerConfig withSocket(String path) {
    return new ServerConfig(
        path,
        socketMode,
        rpc,
        rpcHost,
        rpcPort,
        deployment,
        metricsPort,
        eventLoops,
        workers,
        spinMicros,
        logMetrics,
        htpasswd);
  }

  /**
   * This configuration with RPC on.
   *
   * @param host the address to bind
   * @param port the port, 0 for any free one
   * @return the copy
   */
  public ServerConfig withRpc(String host, int port) {
    return new ServerConfig(
        socket,
        socketMode,
        true,
        host,
        port,
        deployment,
        metricsPort,
        eventLoops,
        workers,
        spinMicros,
        logMetrics,
        htpasswd);
  }

  /**
   * This configuration with a metrics endpoint.
   *
   * @param port the HTTP port, 0 for any free one
   * @return the copy
   */
  public ServerConfig withMetrics(int port) {
    return new ServerConfig(
        socket,
        socketMode,
        rpc,
        rpcHost,
        rpcPort,
        deployment,
        port,
        eventLoops,
        workers,
        spinMicros,
        logMetrics,
        htpasswd);
  }

  /**
   * This configuration with RPC clients checked against an htpasswd file.
   *
   * @param file the htpasswd file, or null for no authentication
   * @return the copy
   */
  public ServerConfig withHtpasswd(Path file) {
    return new ServerConfig(
        socket,
        socketMode,
        rpc,
        rpcHost,
        rpcPort,
        deployment,
        metricsPort,
        eventLoops,
        workers,
        spinMicros,
        logMetrics,
        file);
  }
}
