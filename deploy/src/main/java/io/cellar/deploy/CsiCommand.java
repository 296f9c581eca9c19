package io.cellar.deploy;

import io.cellar.csi.CsiServer;
import io.cellar.csi.IpcObjectReaper;
import io.cellar.csi.SocketRoot;
import io.cellar.deploy.cli.UserError;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
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
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "csi-shutdown"));
    server.awaitTermination();
    return 0;
  }
}
