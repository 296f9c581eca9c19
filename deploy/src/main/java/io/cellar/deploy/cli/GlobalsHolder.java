package io.cellar.deploy.cli;

/** The root command, which holds the global flags its subcommands read. */
public interface GlobalsHolder {
  /** The global flags of this command line. */
  Globals globals();
}
