package io.cellar.csi;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver process's gRPC server: registers the Identity, Controller and Node services (one
 * server for all three, as the host-path driver does) on a UNIX-domain socket with Netty's epoll
 * transport. Calls run on a small executor, never on the event loop, because mounts block. Start
 * with {@link #start}, stop with {@link #close}; not meant to be started twice.
 */
public final class CsiServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CsiServer.class);

  /**
   * What the driver needs to run.
   *
   * @param endpoint the UNIX socket path to listen on
   * @param nodeId this node's id (Kubernetes node name)
   * @param socketRoot where vineyard clusters' socket directories live
   * @param maxVolumesPerNode reported by NodeGetInfo (0: no limit)
   * @param publishToAnyNode whether ControllerPublishVolume accepts any node id; when false only
   *     {@code nodeId} is known (single-process deployments and csi-sanity)
   */
  public record Config(
      Path endpoint,
      String nodeId,
      Path socketRoot,
      long maxVolumesPerNode,
      boolean publishToAnyNode) {

    /** The {@code max_volumes_per_node} reported by default. */
    public static final long DEFAULT_MAX_VOLUMES_PER_NODE = 1000;

    /**
     * Parses a CSI endpoint: {@code unix:///abs/path}, {@code unix:/abs/path} or a plain absolute
     * path.
     *
     * @param endpoint the endpoint flag
     * @return the socket path
     * @throws IllegalArgumentException when it is not a UNIX socket endpoint with an absolute path
     */
    public static Path parseEndpoint(String endpoint) {
      String path;
      if (endpoint.startsWith("unix://")) {
        path = endpoint.substring("unix://".length());
      } else if (endpoint.startsWith("unix:")) {
        path = endpoint.substring("unix:".length());
      } else if (endpoint.contains("://")) {
        throw new IllegalArgumentException(
            "only unix:// endpoints are supported, got: " + endpoint);
      } else {
        path = endpoint;
      }
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException(
            "the endpoint needs an absolute socket path (unix:///path), got: " + endpoint);
      }
      return Path.of(path);
    }
  }

  private final Config config;
  private final Server server;
  private final EventLoopGroup loop;
  private final ExecutorService executor;

  private CsiServer(Config config, Server server, EventLoopGroup loop, ExecutorService executor) {
    this.config = config;
    this.server = server;
    this.loop = loop;
    this.executor = executor;
  }

  /**
   * Starts serving on {@code config.endpoint()}, replacing a stale socket file there.
   *
   * @param config the driver configuration
   * @param reaper deletes a delete-objects volume's objects on DeleteVolume
   * @return the running server
   * @throws IOException when the socket cannot be bound
   * @throws IllegalStateException when the epoll transport is unavailable
   */
  public static CsiServer start(Config config, ObjectReaper reaper) throws IOException {
    if (!Epoll.isAvailable()) {
      throw new IllegalStateException("epoll transport unavailable", Epoll.unavailabilityCause());
    }
    Path endpoint = config.endpoint();
    Files.createDirectories(endpoint.getParent());
    if (Files.exists(endpoint, LinkOption.NOFOLLOW_LINKS)) {
      if (Files.isDirectory(endpoint, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException("endpoint path is a directory: " + endpoint);
      }
      Files.delete(endpoint); // a socket left by a previous run
    }
    SocketRoot socketRoot = new SocketRoot(config.socketRoot());
    Predicate<String> knownNode =
        config.publishToAnyNode() ? node -> true : node -> node.equals(config.nodeId());
    EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2, Thread.ofPlatform().name("csi-call-", 0).daemon(true).factory());
    Server server =
        NettyServerBuilder.forAddress(new DomainSocketAddress(endpoint.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(loop)
            .workerEventLoopGroup(loop)
            .executor(executor)
            .addService(new IdentityService(version(), socketRoot))
            .addService(new ControllerService(knownNode, reaper))
            .addService(
                new NodeService(
                    config.nodeId(), config.maxVolumesPerNode(), socketRoot, new BindMounter()))
            .build();
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      executor.shutdownNow();
      throw e;
    }
    LOG.info(
        "{} {} serving on unix://{} (node {}, socket root {})",
        IdentityService.DRIVER_NAME,
        version(),
        endpoint,
        config.nodeId(),
        socketRoot.path());
    return new CsiServer(config, server, loop, executor);
  }

  /**
   * The driver's version: the project version the build wrote into {@code driver.properties}.
   *
   * @return for example {@code 0.1.0-SNAPSHOT}
   */
  public static String version() {
    try (InputStream in = CsiServer.class.getResourceAsStream("driver.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The configuration this server runs with.
   *
   * @return the configuration
   */
  public Config config() {
    return config;
  }

  /**
   * Blocks until the server has terminated (after {@link #close} from another thread).
   *
   * @throws InterruptedException when interrupted while waiting
   */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops accepting calls, waits briefly for calls in flight, and removes the socket file. */
  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    try {
      Files.deleteIfExists(config.endpoint());
    } catch (IOException e) {
      LOG.warn("cannot remove {}: {}", config.endpoint(), e.toString());
    }
  }
}
