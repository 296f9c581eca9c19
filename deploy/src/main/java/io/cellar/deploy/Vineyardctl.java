package io.cellar.deploy;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code vineyardctl} command: a picocli command whose subcommands run Cellar's Kubernetes
 * parts. A malformed or unknown option exits with status 2 and a message naming it.
 */
@Command(
    name = "vineyardctl",
    mixinStandardHelpOptions = true,
    versionProvider = Vineyardctl.Version.class,
    description = "Cellar's vineyardctl: Kubernetes parts of the vineyard store.",
    subcommands = {CsiCommand.class})
public final class Vineyardctl implements Runnable {

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  /** Creates the command (picocli instantiates it). */
  public Vineyardctl() {}

  /**
   * Runs the command line and exits with its status.
   *
   * @param args the arguments, for example {@code csi --endpoint unix:///csi/csi.sock --nodeid n1}
   */
  public static void main(String[] args) {
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
    CommandLine commandLine = new CommandLine(new Vineyardctl());
    commandLine.setErr(err);
    commandLine.setParameterExceptionHandler(Vineyardctl::usageError);
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

  private static boolean known(CommandLine command, String arg) {
    String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
    return command.getCommandSpec().findOption(name) != null
        || command.getParent() != null
            && command.getParent().getCommandSpec().findOption(name) != null;
  }

  /** Without a subcommand: print the usage and fail as a usage error. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing a subcommand (csi)");
  }

  /** Reports the project version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"vineyardctl (Cellar) " + io.cellar.csi.CsiServer.version()};
    }
  }
}
