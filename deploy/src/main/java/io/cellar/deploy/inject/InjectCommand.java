package io.cellar.deploy.inject;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vineyardctl inject}: the parent of the injection commands. */
@Command(
    name = "inject",
    mixinStandardHelpOptions = true,
    description = "Inject the vineyard volume into a workflow.",
    subcommands = {InjectArgoWorkflowCommand.class})
public final class InjectCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Creates the command (picocli instantiates it). */
  public InjectCommand() {}

  /** Without a subcommand: a usage error. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "missing a subcommand (argo-workflow)");
  }
}
