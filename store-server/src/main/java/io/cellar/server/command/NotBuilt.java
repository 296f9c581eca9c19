package io.cellar.server.command;

import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;

/**
 * A handler for commands this server knows but does not implement: it answers NotImplemented (6)
 * with a message naming the command and why.
 *
 * <p>Immutable and thread-safe.
 */
final class NotBuilt implements CommandHandler {
  private final String why;

  NotBuilt(String why) {
    this.why = why;
  }

  @Override
  public Reply handle(io.cellar.server.protocol.Request request, Connection connection) {
    throw new CellarException(
        StatusCode.NOT_IMPLEMENTED, request.type() + " is not supported by this server: " + why);
  }
}
