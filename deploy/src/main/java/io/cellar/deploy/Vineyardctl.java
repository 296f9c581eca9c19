package io.cellar.deploy;

import io.cellar.deploy.cli.DeleteCommand;
import io.cellar.deploy.cli.DeployCommand;
import io.cellar.deploy.cli.Globals;
import io.cellar.deploy.cli.GlobalsHolder;
import io.cellar.deploy.cli.ManagerCommand;
import io.cellar.deploy.cli.ManifestsCommand;
import io.cellar.deploy.cli.UserError;
import io.cellar.deploy.inject.InjectCommand;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The {@code vineyardctl} command: a picocli command whose subcommands run Cellar's Kubernetes
 * parts ({@code deploy}, {@code delete}, {@code manifests}, {@code manager}, {@code inject}, {@code
 * csi}). A malformed or unknown option exits with status 2 and a message naming it; a failure at
 * run time (an unreachable API server, a refused object, a timeout) exits with status 1 and one
 * message, with the stack trace only under {@code --verbose}.
 */
@Command(
    name = "vineyardctl",
    mixinStandardHelpOptions = true,
    versionProvider = Vineyardctl.Version.class,
    description = "Cellar's vineyardctl: Kubernetes parts of the vineyard store.",
    subcommands = {
      DeployCommand.class,
      DeleteCommand.class,
      ManifestsCommand.class,
      ManagerCommand.class,
      InjectCommand.class,
      CsiCommand.class
    })
public final class Vineyardctl implements Runnable, GlobalsHolder {

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @Mixin private Globals globals = new Globals();

  /** The global flags of this command line. */
  @Override
  public Globals globals() {
    return globals;
  }

  /** Creates the command (picocli instantiates it). */
  public Vineyardctl() {}

  /**
   * Runs the command line and exits with its status.
   *
   * @param args the arguments, for example {@code csi --endpoint unix:///csi/csi.sock --nodeid n1}
   */
  public static void main(String[] args) {
    for (String arg : args) {
      if (arg.equals("--verbose") || arg.equals("--verbose=true")) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
        System.setProperty("org.slf4j.simpleLogger.log.io.fabric8", "info");
        System.setProperty("org.slf4j.simpleLogger.log.io.javaoperatorsdk", "info");
        System.setProperty("org.slf4j.simpleLogger.log.io.netty", "info");
        System.setProperty("org.slf4j.simpleLogger.log.io.grpc", "info");
      }
    }
    System.exit(run(args));
  }

  /**
   * Runs the command line without exiting.
   *
   * @param args the arguments
   * @return the exit status: 0 success, 1 failure, 2 usage error
   */
  public static int run(String... args) {
    return run(new PrintWriter(System.err, true), args);
  }

  /**
   * Runs the command line without exiting, with usage errors written to {@code err}.
   *
   * @param err where usage errors and the usage go
   * @param args the arguments
   * @return the exit status: 0 success, 1 failure, 2 usage error
   */
  public static int run(PrintWriter err, String... args) {
    return run(new PrintWriter(System.out, true), err, args);
  }

  /**
   * Runs the command line without exiting, with its output and errors written where asked.
   *
   * @param out where output goes ({@code manifests} prints its YAML there)
   * @param err where usage errors, failures and the usage go
   * @param args the arguments
   * @return the exit status: 0 success, 1 failure, 2 usage error
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine commandLine = new CommandLine(new Vineyardctl());
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setParameterExceptionHandler(Vineyardctl::usageError);
    commandLine.setExecutionExceptionHandler(Vineyardctl::failure);
    return commandLine.execute(args);
  }

  /**
   * Reports a usage error, naming an unknown option first even when required options are missing
   * too (picocli checks those first), then the usage; exit status 2.
   */
  private static int usageError(CommandLine.ParameterException error, String[] args) {
    CommandLine command = error.getCommandLine();
    String message = error.getMessage();
    if (!(error instanceof CommandLine.UnmatchedArgumentException)) {
      List<String> unknown = new ArrayList<>();
      for (String arg : args) {
        if (arg.startsWith("-") && !known(command, arg)) {
          unknown.add("'" + arg + "'");
        }
      }
      if (!unknown.isEmpty()) {
        message =
            "Unknown option" + (unknown.size() > 1 ? "s: " : ": ") + String.join(", ", unknown);
      }
    }
    command.getErr().println(message);
    command.usage(command.getErr());
    return command.getCommandSpec().exitCodeOnInvalidInput();
  }

  /** A failure while running: one line naming it, exit status 1 (stack trace with --verbose). */
  private static int failure(
      Exception error, CommandLine command, CommandLine.ParseResult parseResult) {
    boolean verbose =
        command.getCommandSpec().root().userObject() instanceof Vineyardctl root
            && root.globals.verbose;
    String message =
        switch (error) {
          case UserError u -> u.getMessage();
          case KubernetesClientException k ->
              "the Kubernetes API server refused the request: "
                  + (k.getStatus() != null && k.getStatus().getMessage() != null
                      ? k.getStatus().getMessage()
                      : k.getMessage());
          default -> error.toString();
        };
    command.getErr().println("vineyardctl " + command.getCommandName() + ": " + message);
    if (verbose) {
      error.printStackTrace(command.getErr());
    }
    return 1;
  }

  private static boolean known(CommandLine command, String arg) {
    String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
    return command.getCommandSpec().findOption(name) != null
        || command.getParent() != null
            && command.getParent().getCommandSpec().findOption(name) != null;
  }

  /** Without a subcommand: print the usage and fail as a usage error. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "missing a subcommand (deploy, delete, manifests, manager, inject, csi)");
  }

  /** Reports the project version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"vineyardctl (Cellar) " + io.cellar.csi.CsiServer.version()};
    }
  }
}
