package io.cellar.csi.registration;

import io.cellar.csi.UnixSocketGrpcServer;
import io.cellar.csi.registration.proto.InfoRequest;
import io.cellar.csi.registration.proto.PluginInfo;
import io.cellar.csi.registration.proto.RegistrationGrpc;
import io.cellar.csi.registration.proto.RegistrationStatus;
import io.cellar.csi.registration.proto.RegistrationStatusResponse;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a CSI driver with the kubelet as node-driver-registrar does, without its image: serves
 * {@code pluginregistration.Registration} on {@code <kubelet
 * root>/plugins_registry/<driver>-reg.sock}. The kubelet's plugin watcher sees the socket appear,
 * calls {@code GetInfo} (answered with type {@value #CSI_PLUGIN}, the driver name, the CSI endpoint
 * as the kubelet reaches it and the CSI versions {@code ["1.0.0"]}), then connects to that endpoint
 * and reports the outcome with {@code NotifyRegistrationStatus}. A refusal is logged and handed to
 * the failure handler (the driver process exits non-zero, so the pod restarts and registers again,
 * as the registrar does).
 *
 * <p>Threading: the gRPC calls run on one executor thread; the failure handler is called on a
 * thread of its own after the kubelet got its answer. {@link #state} is safe from any thread.
 */
public final class KubeletRegistration implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KubeletRegistration.class);

  /** The plugin type of a CSI driver in {@code PluginInfo.type}. */
  public static final String CSI_PLUGIN = "CSIPlugin";

  /** The CSI versions a v1 driver declares. */
  public static final List<String> SUPPORTED_VERSIONS = List.of("1.0.0");

  /** The directory under the kubelet root that the kubelet's plugin watcher watches. */
  public static final String REGISTRY_DIR = "plugins_registry";

  /** Where registration stands, as the kubelet last reported it. */
  public enum State {
    /** Serving; the kubelet has not reported yet. */
    WAITING,
    /** The kubelet registered the driver. */
    REGISTERED,
    /** The kubelet refused it. */
    FAILED
  }

  /**
   * What to register.
   *
   * @param kubeletRoot the kubelet's root directory (its {@code --root-dir}, usually {@code
   *     /var/lib/kubelet})
   * @param driverName the CSI driver name
   * @param endpoint the driver's CSI socket as the kubelet reaches it (a host path)
   */
  public record Config(Path kubeletRoot, String driverName, Path endpoint) {
    /** Checks the fields. */
    public Config {
      Objects.requireNonNull(kubeletRoot, "kubeletRoot");
      Objects.requireNonNull(driverName, "driverName");
      Objects.requireNonNull(endpoint, "endpoint");
      if (!kubeletRoot.isAbsolute() || !endpoint.isAbsolute()) {
        throw new IllegalArgumentException(
            "the kubelet root and the endpoint must be absolute paths, got "
                + kubeletRoot
                + " and "
                + endpoint);
      }
      if (driverName.isEmpty() || driverName.contains("/")) {
        throw new IllegalArgumentException("not a driver name: " + driverName);
      }
    }

    /**
     * The registration socket: {@code <kubelet root>/plugins_registry/<driver>-reg.sock}.
     *
     * @return its path
     */
    public Path socket() {
      return kubeletRoot.resolve(REGISTRY_DIR).resolve(driverName + "-reg.sock");
    }
  }

  private final Config config;
  private final UnixSocketGrpcServer server;
  private final AtomicReference<State> state;

  private KubeletRegistration(
      Config config, UnixSocketGrpcServer server, AtomicReference<State> state) {
    this.config = config;
    this.server = server;
    this.state = state;
  }

  /**
   * Starts serving the registration socket, replacing a stale socket file there (a previous run's).
   * Start it after the CSI server: the kubelet calls the endpoint right after {@code GetInfo}.
   *
   * @param config what to register
   * @param onFailure called once with the kubelet's error when it refuses the driver
   * @return the running registration
   * @throws IOException when the socket cannot be bound
   */
  public static KubeletRegistration start(Config config, Consumer<String> onFailure)
      throws IOException {
    Path socket = config.socket();
    AtomicReference<State> state = new AtomicReference<>(State.WAITING);
    UnixSocketGrpcServer server =
        UnixSocketGrpcServer.start(
            socket, "csi-registration", 1, List.of(new Service(config, state, onFailure)));
    LOG.info(
        "kubelet registration of {} (endpoint {}) serving on {}",
        config.driverName(),
        config.endpoint(),
        socket);
    return new KubeletRegistration(config, server, state);
  }

  /**
   * Where registration stands.
   *
   * @return the state the kubelet last reported
   */
  public State state() {
    return state.get();
  }

  /**
   * What this registration serves.
   *
   * @return the configuration
   */
  public Config config() {
    return config;
  }

  /** Stops serving and removes the socket file (the kubelet then deregisters the driver). */
  @Override
  public void close() {
    server.close();
  }

  /** The gRPC service. Runs on the registration's single executor thread. */
  private static final class Service extends RegistrationGrpc.RegistrationImplBase {
    private final Config config;
    private final AtomicReference<State> state;
    private final Consumer<String> onFailure;

    Service(Config config, AtomicReference<State> state, Consumer<String> onFailure) {
      this.config = config;
      this.state = state;
      this.onFailure = onFailure;
    }

    @Override
    public void getInfo(InfoRequest request, StreamObserver<PluginInfo> observer) {
      LOG.info("the kubelet asks for the plugin's info");
      observer.onNext(
          PluginInfo.newBuilder()
              .setType(CSI_PLUGIN)
              .setName(config.driverName())
              .setEndpoint(config.endpoint().toString())
              .addAllSupportedVersions(SUPPORTED_VERSIONS)
              .build());
      observer.onCompleted();
    }

    @Override
    public void notifyRegistrationStatus(
        RegistrationStatus status, StreamObserver<RegistrationStatusResponse> observer) {
      observer.onNext(RegistrationStatusResponse.getDefaultInstance());
      observer.onCompleted();
      if (status.getPluginRegistered()) {
        state.set(State.REGISTERED);
        LOG.info("the kubelet registered {}", config.driverName());
        return;
      }
      String error = status.getError().isEmpty() ? "(no reason given)" : status.getError();
      LOG.error("the kubelet refused to register {}: {}", config.driverName(), error);
      if (state.getAndSet(State.FAILED) != State.FAILED) {
        Thread.ofPlatform().name("csi-registration-failed").start(() -> onFailure.accept(error));
      }
    }
  }
}
