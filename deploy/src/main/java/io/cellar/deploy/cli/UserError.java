package io.cellar.deploy.cli;

/**
 * A failure the user can act on: its message is printed as is (no stack trace) and the command
 * exits with status 1.
 */
public final class UserError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the error.
   *
   * @param message what went wrong and, where it helps, what to do
   */
  public UserError(String message) {
    super(message);
  }

  /**
   * Creates the error with its cause (shown with {@code --verbose}).
   *
   * @param message what went wrong
   * @param cause the cause
   */
  public UserError(String message, Throwable cause) {
    super(message, cause);
  }
}
