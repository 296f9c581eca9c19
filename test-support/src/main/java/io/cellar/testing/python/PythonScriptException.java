package io.cellar.testing.python;

import java.io.IOException;
import java.io.Serial;
import java.util.List;
import java.util.OptionalInt;

/**
 * A Python process (a script, {@code venv} or {@code pip}) that exited non-zero or ran over its
 * timeout. The message holds the command line and everything the process printed (stdout and stderr
 * merged, in order).
 */
public final class PythonScriptException extends IOException {
  @Serial private static final long serialVersionUID = 1L;

  private final String[] command;
  private final Integer exitCode;
  private final String output;

  /**
   * Creates the exception.
   *
   * @param command the command line that ran
   * @param exitCode its exit status, or {@code null} when it was killed for running over time
   * @param why what went wrong, for the message (for example {@code "exited with 2"})
   * @param output what it printed
   */
  PythonScriptException(List<String> command, Integer exitCode, String why, String output) {
    super(String.join(" ", command) + " " + why + ":\n" + output);
    this.command = command.toArray(String[]::new);
    this.exitCode = exitCode;
    this.output = output;
  }

  /**
   * The command line that ran.
   *
   * @return the program and its arguments
   */
  public List<String> command() {
    return List.of(command);
  }

  /**
   * The exit status.
   *
   * @return the status, or empty when the process was killed for running over its timeout
   */
  public OptionalInt exitCode() {
    return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
  }

  /**
   * What the process printed before it ended.
   *
   * @return stdout and stderr, merged
   */
  public String output() {
    return output;
  }
}
