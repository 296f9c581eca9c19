package io.cellar.deploy;

import io.cellar.csi.CsiServer;
import io.cellar.csi.IpcObjectReaper;
import io.cellar.csi.SocketRoot;
import io.cellar.csi.registration.KubeletRegistration;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vineyardctl csi}: runs the CSI driver {@code csi.vineyard.v6d.io} (Identity, Controller
 * and Node services) on a UNIX socket until the process is stopped.
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

  /** Creates the command (picocli instantiates it). */
  public CsiCommand() {}

  /**
   * Starts the driver and serves until the process is stopped (SIGTERM closes it cleanly).
   *
   * @return 0 after a clean stop
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
    if (kubeletRoot != null) {
      registrationConfig(socket); // a usage error before anything starts
    }
    CsiServer server =
        CsiServer.start(
            new CsiServer.Config(
                socket,
                nodeId,
                socketRoot,
                CsiServer.Config.DEFAULT_MAX_VOLUMES_PER_NODE,
                publishAnyNode),
            new IpcObjectReaper(socketRoot));
    AtomicReference<String> refused = new AtomicReference<>();
    KubeletRegistration registration = null;
    try {
      if (kubeletRoot != null) {
        registration =
            KubeletRegistration.start(
                registrationConfig(socket),
                error -> {
                  refused.set(error);
                  server.close(); // ends awaitTermination below: the pod restarts and re-registers
                });
      }
    } catch (RuntimeException | java.io.IOException e) {
      server.close();
      throw e;
    }
    KubeletRegistration started = registration;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (started != null) {
                    started.close();
                  }
                  server.close();
                },
                "csi-shutdown"));
    server.awaitTermination();
    if (started != null) {
      started.close();
    }
    if (refused.get() != null) {
      spec.commandLine()
          .getErr()
          .println("vineyardctl csi: the kubelet refused to register the driver: " + refused.get());
      return 1;
    }
    return 0;
  }

  private KubeletRegistration.Config registrationConfig(Path socket) {
    try {
      return new KubeletRegistration.Config(
          kubeletRoot,
          io.cellar.csi.IdentityService.DRIVER_NAME,
          kubeletRegistrationPath == null ? socket : kubeletRegistrationPath);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "Invalid value for option '--register-with-kubelet' or '--kubelet-registration-path': "
              + e.getMessage());
    }
  }
}
