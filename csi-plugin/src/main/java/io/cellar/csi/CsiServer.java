package io.cellar.csi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
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
  private final UnixSocketGrpcServer server;

  private CsiServer(Config config, UnixSocketGrpcServer server) {
    this.config = config;
    this.server = server;
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
    Path endpoint = config.endpoint();
    SocketRoot socketRoot = new SocketRoot(config.socketRoot());
    Predicate<String> knownNode =
        config.publishToAnyNode() ? node -> true : node -> node.equals(config.nodeId());
    UnixSocketGrpcServer server =
        UnixSocketGrpcServer.start(
            endpoint,
            "csi-call",
            2,
            List.of(
                new IdentityService(version(), socketRoot),
                new ControllerService(knownNode, reaper),
                new NodeService(
                    config.nodeId(), config.maxVolumesPerNode(), socketRoot, new BindMounter())));
    LOG.info(
        "{} {} serving on unix://{} (node {}, socket root {})",
        IdentityService.DRIVER_NAME,
        version(),
        endpoint,
        config.nodeId(),
        socketRoot.path());
    return new CsiServer(config, server);
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
    server.close();
  }
}
