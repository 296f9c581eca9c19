package io.cellar.server;

import io.cellar.core.Store;
import io.cellar.core.meta.backend.InstanceFacts;
import io.cellar.protocol.VineyardVersion;
import io.cellar.server.auth.HtpasswdFile;
import io.cellar.server.command.BlobCommands;
import io.cellar.server.command.CommandDispatcher;
import io.cellar.server.command.CommandTable;
import io.cellar.server.command.ConnectionCommands;
import io.cellar.server.command.MetadataCommands;
import io.cellar.server.command.NameCommands;
import io.cellar.server.command.RemoteBlobCommands;
import io.cellar.server.command.RequestFailures;
import io.cellar.server.command.ServerCounters;
import io.cellar.server.command.ServerIdentity;
import io.cellar.server.command.SessionRegistry;
import io.cellar.server.command.StatusCommands;
import io.cellar.server.command.StreamCommands;
import io.cellar.server.ipc.IpcServer;
import io.cellar.server.ipc.SocketFile;
import io.cellar.server.metrics.MetricLog;
import io.cellar.server.metrics.PrometheusEndpoint;
import io.cellar.server.metrics.ServerMetrics;
import io.cellar.server.rpc.RpcServer;
import io.cellar.server.transport.ServerResources;
import io.cellar.server.transport.SpinThenBlockStrategy;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vineyardd-compatible server over a {@link Store}: an IPC listener on a UNIX socket, an
 * optional RPC listener on TCP, and an optional Prometheus endpoint. The daemon ({@link
 * io.cellar.server.daemon.Vineyardd}) runs one; a JVM application can run one in-process ({@link
 * #start(ServerConfig, Store)}) over a store it also uses directly, so local code and other
 * processes see the same objects.
 *
 * <p>Thread-safe. The server does not own the store: closing the server leaves the store open.
 */
public final class VineyardServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VineyardServer.class);

  private final EventLoopGroup loops;
  private final ExecutorService workers;
  private final IpcServer ipc;
  private final RpcServer rpc;
  private final PrometheusEndpoint metricsEndpoint;
  private final ServerMetrics metrics;
  private final ServerCounters counters;
  private final ServerIdentity identity;
  private final SessionRegistry sessions;
  private boolean closed;

  private VineyardServer(
      EventLoopGroup loops,
      ExecutorService workers,
      IpcServer ipc,
      RpcServer rpc,
      PrometheusEndpoint metricsEndpoint,
      ServerMetrics metrics,
      ServerCounters counters,
      ServerIdentity identity,
      SessionRegistry sessions) {
    this.loops = loops;
    this.workers = workers;
    this.ipc = ipc;
    this.rpc = rpc;
    this.metricsEndpoint = metricsEndpoint;
    this.metrics = metrics;
    this.counters = counters;
    this.identity = identity;
    this.sessions = sessions;
  }

  /**
   * The version this server reports ({@code register_reply.version}).
   *
   * @return {@link VineyardVersion#VALUE}
   */
  public static String protocolVersion() {
    return VineyardVersion.VALUE;
  }

  /**
   * Starts serving a store: binds RPC and the metrics endpoint when configured, then prepares and
   * binds the IPC socket, last, so that the socket file appears only once the server is ready to
   * serve. Returns once everything listens.
   *
   * @param config how to listen
   * @param store the store to serve; stays owned by the caller
   * @return the running server
   * @throws IOException when a socket or port cannot be used (nothing is left running)
   */
  public static VineyardServer start(ServerConfig config, Store store) throws IOException {
    return start(config, store, instanceFacts(config));
  }

  /**
   * What a server started with this configuration publishes about itself when its store joins a
   * cluster: the host and node names, the IPC socket path, the RPC endpoint ({@code host:port}, the
   * host being {@code --rpc_host} when it names one address, else the host name, as the reference
   * publishes it) and a host id. Computed before the server binds, so that the store can register
   * before the socket appears.
   *
   * @param config how the server will listen; the RPC port must be a fixed one to be published
   * @return the facts
   * @throws IOException when no socket path can be chosen
   */
  public static InstanceFacts instanceFacts(ServerConfig config) throws IOException {
    Path socket = SocketFile.choose(config.socket());
    String hostname = HostFacts.hostname();
    String rpcEndpoint =
        config.rpc() ? advertisedHost(config, hostname) + ":" + config.rpcPort() : "";
    return new InstanceFacts(
        hostname, HostFacts.nodename(), socket.toString(), rpcEndpoint, HostFacts.hostId());
  }

  private static String advertisedHost(ServerConfig config, String hostname) {
    String host = config.rpcHost();
    boolean wildcard =
        host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::");
    return wildcard ? hostname : host;
  }

  /**
   * Starts serving a store as {@link #start(ServerConfig, Store)} does, reporting the facts the
   * store registered with (the same host id and names in {@code register_reply} and {@code
   * cluster_meta} as in the cluster).
   *
   * @param config how to listen
   * @param store the store to serve; stays owned by the caller
   * @param facts what the store published, from {@link #instanceFacts(ServerConfig)}
   * @return the running server
   * @throws IOException when a socket or port cannot be used (nothing is left running)
   */
  public static VineyardServer start(ServerConfig config, Store store, InstanceFacts facts)
      throws IOException {
    Path socket = SocketFile.choose(config.socket());
    ServerCounters counters = new ServerCounters();
    AtomicReference<ServerIdentity> identity =
        new AtomicReference<>(
            new ServerIdentity(
                protocolVersion(),
                store.instanceId(),
                socket.toString(),
                "0.0.0.0:0",
                facts.hostname(),
                facts.nodename(),
                facts.hostId(),
                config.deployment(),
                false,
                System.currentTimeMillis()));
    boolean spilling = store.config().spillPath() != null;
    // error replies are always counted; the per-command timers only when the metrics are served
    ServerMetrics metrics = new ServerMetrics(store, counters);
    boolean exported = config.metricsPort() >= 0;
    CommandTable table = new CommandTable();
    HtpasswdFile htpasswd = config.htpasswd() == null ? null : new HtpasswdFile(config.htpasswd());
    CommandTable filled = fill(table, store, spilling, counters, identity, htpasswd);
    CommandDispatcher.RequestObserver observer =
        exported ? metrics : CommandDispatcher.RequestObserver.NONE;
    if (config.logMetrics()) {
      observer = observer.andThen(new MetricLog(store));
    }
    CommandDispatcher dispatcher =
        new CommandDispatcher(filled, new RequestFailures(metrics.errorReplies()), observer);
    int nLoops =
        config.eventLoops() > 0 ? config.eventLoops() : Runtime.getRuntime().availableProcessors();
    EventLoopGroup loops =
        new MultiThreadIoEventLoopGroup(
            nLoops,
            new DefaultThreadFactory("cellar-loop", true),
            EpollIoHandler.newFactory(0, SpinThenBlockStrategy.factory(config.spinMicros())));
    ExecutorService workers =
        Executors.newFixedThreadPool(
            Math.max(1, config.workers()), new DefaultThreadFactory("cellar-worker", true));
    SessionRegistry sessions = new SessionRegistry(store);
    ServerResources resources = new ServerResources(dispatcher, sessions, counters, workers);
    IpcServer ipc = null;
    RpcServer rpc = null;
    PrometheusEndpoint endpoint = null;
    try {
      if (config.rpc()) {
        rpc = RpcServer.bind(config.rpcHost(), config.rpcPort(), loops, resources);
        identity.set(
            identity
                .get()
                .withRpcEndpoint(advertisedHost(config, facts.hostname()) + ":" + rpc.port()));
      }
      if (exported) {
        endpoint = PrometheusEndpoint.start(config.metricsPort(), metrics);
      }
      ipc = IpcServer.bind(socket, config.socketMode(), loops, resources);
    } catch (IOException | RuntimeException e) {
      if (endpoint != null) {
        endpoint.close();
      }
      if (rpc != null) {
        rpc.close();
      }
      loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      workers.shutdownNow();
      throw e;
    }
    return new VineyardServer(
        loops, workers, ipc, rpc, endpoint, metrics, counters, identity.get(), sessions);
  }

  private static CommandTable fill(
      CommandTable table,
      Store store,
      boolean spilling,
      ServerCounters counters,
      AtomicReference<ServerIdentity> identity,
      HtpasswdFile htpasswd) {
    new ConnectionCommands(identity::get, htpasswd).registerInto(table);
    new BlobCommands(store, spilling).registerInto(table);
    new RemoteBlobCommands(store, spilling).registerInto(table);
    new MetadataCommands(store, counters).registerInto(table);
    new NameCommands(store, counters).registerInto(table);
    new StatusCommands(store, identity::get, counters).registerInto(table);
    new StreamCommands(store, counters).registerInto(table);
    return table.freeze();
  }

  /**
   * The IPC socket path.
   *
   * @return the path
   */
  public Path ipcSocket() {
    return ipc.path();
  }

  /**
   * The bound RPC port.
   *
   * @return the port, or -1 when RPC is off
   */
  public int rpcPort() {
    return rpc == null ? -1 : rpc.port();
  }

  /**
   * The bound metrics port.
   *
   * @return the port, or -1 when metrics are off
   */
  public int metricsPort() {
    return metricsEndpoint == null ? -1 : metricsEndpoint.port();
  }

  /**
   * What this server reports about itself.
   *
   * @return the identity
   */
  public ServerIdentity identity() {
    return identity;
  }

  /**
   * The server's meters, among them the error replies by status code.
   *
   * @return the meters
   */
  public ServerMetrics metrics() {
    return metrics;
  }

  /**
   * Live counters.
   *
   * @return the counters
   */
  public ServerCounters counters() {
    return counters;
  }

  /**
   * Stops accepting, closes every connection (their references are dropped), removes the socket
   * file. Idempotent. Does not close the store.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    ipc.close();
    if (rpc != null) {
      rpc.close();
    }
    if (metricsEndpoint != null) {
      metricsEndpoint.close();
    }
    loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    workers.shutdown();
    try {
      if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int left = sessions.closeAll(); // the loops and workers are gone: nothing else uses them
    if (left > 0) {
      LOG.debug("closed {} session(s) whose connection ended while the server stopped", left);
    }
    LOG.debug("server on {} stopped", ipc.path());
  }
}
