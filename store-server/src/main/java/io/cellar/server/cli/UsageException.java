package io.cellar.server.cli;

import java.io.Serial;

/** A command line that cannot be accepted; the daemon prints the message and exits 2. Immutable. */
public final class UsageException extends Exception {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * A rejection.
   *
   * @param message what is wrong, naming the flag
   */
  public UsageException(String message) {
    super(message);
  }
}
