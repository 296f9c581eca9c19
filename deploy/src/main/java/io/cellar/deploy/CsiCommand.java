package io.cellar.deploy;

import io.cellar.csi.CsiServer;
import io.cellar.csi.IdentityService;
import io.cellar.csi.IpcObjectReaper;
import io.cellar.csi.SocketRoot;
import io.cellar.csi.registration.KubeletRegistration;
import io.cellar.deploy.cli.Globals;
import io.cellar.deploy.cli.GlobalsHolder;
import io.cellar.deploy.cli.UserError;
import io.cellar.deploy.provisioner.DriverClient;
import io.cellar.deploy.provisioner.Provisioner;
import io.cellar.deploy.provisioner.ProvisionerElection;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vineyardctl csi}: runs the CSI driver {@code csi.vineyard.v6d.io} (Identity, Controller
 * and Node services) on a UNIX socket until the process is stopped, and, when asked, what the CSI
 * sidecars would do beside it: kubelet plugin registration ({@code --register-with-kubelet}, the
 * node role), dynamic provisioning under a Lease ({@code --provisioner}, the controller role) and a
 * liveness endpoint ({@code --health-port}). Exit status: 0 after SIGTERM; 1 when the kubelet
 * refuses the driver or the provisioner loses its Lease (the pod restarts, as with the sidecars).
 */
@Command(
    name = "csi",
    mixinStandardHelpOptions = true,
    description = "Run the vineyard CSI driver (Identity, Controller and Node services).")
public final class CsiCommand implements Callable<Integer> {

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"--endpoint", "-f"},
      required = true,
      paramLabel = "unix:///PATH",
      description = "The CSI endpoint: a UNIX socket, unix:///path/to/csi.sock.")
  private String endpoint;

  @Option(
      names = "--nodeid",
      required = true,
      paramLabel = "NODE",
      description = "This node's id (the Kubernetes node name).")
  private String nodeId;

  @Option(
      names = "--socket-root",
      paramLabel = "DIR",
      description =
          "Where vineyard clusters' socket directories live, <DIR>/<ns>/<name>/vineyard.sock"
              + " (default: ${DEFAULT-VALUE}).")
  private Path socketRoot = SocketRoot.DEFAULT;

  @Option(
      names = "--state-file-path",
      hidden = true,
      paramLabel = "FILE",
      description = "Accepted for the reference's command line; the driver keeps no state file.")
  private Path stateFilePath;

  @Option(
      names = "--publish-any-node",
      description =
          "Let ControllerPublishVolume accept any node id (a controller running apart from the"
              + " node plugins). Without it only --nodeid is a known node.")
  private boolean publishAnyNode;

  /** Why the endpoint could not be served, in words (the exception's class is no help). */
  private static String why(IOException e) {
    return switch (e) {
      case AccessDeniedException a ->
          "permission denied on " + a.getFile() + " (the directory must be writable)";
      case FileAlreadyExistsException f -> f.getFile() + " exists and is not a directory";
      case NotDirectoryException n -> n.getFile() + " is not a directory";
      case NoSuchFileException n -> n.getFile() + " cannot be created (no such file or directory)";
      case FileSystemException f ->
          f.getFile() + ": " + (f.getReason() == null ? "cannot be created" : f.getReason());
      default -> {
        Throwable root = e;
        while (root.getCause() != null) {
          root = root.getCause();
        }
        yield root.getMessage() == null ? root.toString() : root.getMessage();
      }
    };
  }

  @Option(
      names = "--register-with-kubelet",
      paramLabel = "KUBELET_ROOT",
      description =
          "Register the driver with the kubelet whose root directory this is (usually"
              + " /var/lib/kubelet), as node-driver-registrar does: serve the plugin registration"
              + " API on KUBELET_ROOT/plugins_registry/csi.vineyard.v6d.io-reg.sock. A refusal by"
              + " the kubelet ends the process with status 1.")
  private Path kubeletRoot;

  @Option(
      names = "--kubelet-registration-path",
      paramLabel = "PATH",
      description =
          "The CSI socket as the kubelet reaches it, told to the kubelet on registration"
              + " (default: the --endpoint path).")
  private Path kubeletRegistrationPath;

  @Option(
      names = "--provisioner",
      description =
          "Provision volumes, as external-provisioner does: watch claims of StorageClasses whose"
              + " provisioner is csi.vineyard.v6d.io, CreateVolume, create the PV; DeleteVolume"
              + " when a PV with reclaim policy Delete is released. Only the holder of the Lease"
              + " csi-vineyard-v6d-io provisions. Uses --kubeconfig or the in-cluster account.")
  private boolean provisioner;

  @Option(
      names = "--leader-election-namespace",
      paramLabel = "NAMESPACE",
      description =
          "The provisioner Lease's namespace (default: $POD_NAMESPACE, else the -n namespace).")
  private String leaseNamespace;

  @Option(
      names = "--identity",
      paramLabel = "NAME",
      description =
          "This provisioner's identity in the Lease (default: $POD_NAME, else the host name).")
  private String identity;

  @Option(
      names = "--health-port",
      paramLabel = "PORT",
      description =
          "Serve GET /healthz on this TCP port (what the livenessprobe sidecar serves): 200 when"
              + " the driver answers Probe ready (and the kubelet has not refused it).")
  private Integer healthPort;

  /** Creates the command (picocli instantiates it). */
  public CsiCommand() {}

  /**
   * Starts the driver and its built-in roles and serves until the process is stopped.
   *
   * @return 0 after a clean stop, 1 when a role failed
   * @throws Exception when the driver cannot start
   */
  @Override
  public Integer call() throws Exception {
    Path socket;
    try {
      socket = CsiServer.Config.parseEndpoint(endpoint);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "Invalid value for option '--endpoint': " + e.getMessage());
    }
    if (nodeId.isBlank()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "Invalid value for option '--nodeid': must not be empty");
    }
    if (healthPort != null && (healthPort < 0 || healthPort > 65535)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "Invalid value for option '--health-port': not a port: " + healthPort);
    }
    KubeletRegistration.Config registrationConfig =
        kubeletRoot == null ? null : registrationConfig(socket);
    // what ends the process: SIGTERM (0), a refused registration or a lost Lease (1)
    CompletableFuture<String> failed = new CompletableFuture<>();
    Deque<AutoCloseable> started = new ArrayDeque<>();
    java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              failed.complete(null);
              try { // the JVM halts when the hooks return: let the main thread clean up first
                closed.await(20, java.util.concurrent.TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "csi-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      CsiServer server;
      try {
        server =
            CsiServer.start(
                new CsiServer.Config(
                    socket,
                    nodeId,
                    socketRoot,
                    CsiServer.Config.DEFAULT_MAX_VOLUMES_PER_NODE,
                    publishAnyNode),
                new IpcObjectReaper(socketRoot));
      } catch (IOException e) {
        throw new UserError("cannot serve on " + endpoint + ": " + why(e));
      }
      started.push(server);
      KubeletRegistration registration = null;
      if (registrationConfig != null) {
        registration =
            KubeletRegistration.start(
                registrationConfig,
                error -> failed.complete("the kubelet refused to register the driver: " + error));
        started.push(registration);
      }
      if (provisioner || healthPort != null) {
        DriverClient driver = new DriverClient(socket, DriverClient.CALL_TIMEOUT);
        started.push(driver);
        if (healthPort != null) {
          KubeletRegistration reg = registration;
          CsiHealthEndpoint health =
              CsiHealthEndpoint.start(
                  healthPort,
                  driver,
                  () ->
                      reg != null && reg.state() == KubeletRegistration.State.FAILED
                          ? "the kubelet refused to register the driver"
                          : null);
          started.push(health);
          System.err.println("vineyardctl csi: /healthz on port " + health.port());
        }
        if (provisioner) {
          KubernetesClient client = kubernetesClient();
          started.push(client);
          String id = identity();
          started.push(
              ProvisionerElection.start(
                  client,
                  leaseNamespace(),
                  IdentityService.DRIVER_NAME,
                  id,
                  ProvisionerElection.Timing.DEFAULT,
                  () -> new Provisioner(client, driver, IdentityService.DRIVER_NAME, id),
                  () -> failed.complete("the provisioner lost its Lease")));
        }
      }
      String failure = failed.join();
      if (failure != null) {
        spec.commandLine().getErr().println("vineyardctl csi: " + failure);
        return 1;
      }
      return 0;
    } finally {
      while (!started.isEmpty()) {
        try {
          started.pop().close();
        } catch (Exception e) {
          System.err.println("vineyardctl csi: while stopping: " + e);
        }
      }
      closed.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down: the hook is what woke us
      }
    }
  }

  private KubeletRegistration.Config registrationConfig(Path socket) {
    try {
      return new KubeletRegistration.Config(
          kubeletRoot,
          IdentityService.DRIVER_NAME,
          kubeletRegistrationPath == null ? socket : kubeletRegistrationPath);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "Invalid value for option '--register-with-kubelet' or '--kubelet-registration-path': "
              + e.getMessage());
    }
  }

  private Globals globals() {
    return spec.root().userObject() instanceof GlobalsHolder h ? h.globals() : new Globals();
  }

  private KubernetesClient kubernetesClient() {
    Path kubeconfig = globals().kubeconfig;
    Config config;
    if (kubeconfig != null) {
      if (!Files.isReadable(kubeconfig)) {
        throw new UserError("--kubeconfig " + kubeconfig + ": no such file (or not readable)");
      }
      config = Config.fromKubeconfig(kubeconfig.toFile());
    } else {
      config = Config.autoConfigure(null);
    }
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  private String leaseNamespace() {
    if (leaseNamespace != null && !leaseNamespace.isBlank()) {
      return leaseNamespace;
    }
    String pod = System.getenv("POD_NAMESPACE");
    return pod != null && !pod.isBlank() ? pod : globals().namespace;
  }

  private String identity() throws IOException {
    if (identity != null && !identity.isBlank()) {
      return identity;
    }
    String pod = System.getenv("POD_NAME");
    return pod != null && !pod.isBlank() ? pod : InetAddress.getLocalHost().getHostName();
  }
}
