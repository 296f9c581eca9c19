package io.cellar.server.command;

import io.cellar.server.protocol.Request;

/**
 * Serves one protocol command.
 *
 * <p>Implementations are stateless or thread-safe: the same handler serves every connection, on
 * event loops and on the worker pool.
 */
@FunctionalInterface
public interface CommandHandler {
  /**
   * Answers a request.
   *
   * @param request the parsed request
   * @param connection the connection it came from
   * @return the reply
   * @throws io.cellar.protocol.CellarException answered as an error reply with its code
   */
  Reply handle(Request request, Connection connection);
}
