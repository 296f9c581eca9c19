package io.cellar.server.command;

import io.cellar.protocol.CellarException;
import io.cellar.server.protocol.JsonCodec;
import io.cellar.server.protocol.Request;
import io.netty.buffer.ByteBuf;

/**
 * Turns a frame body into a reply: parses it, checks registration, finds the command, runs its
 * handler. Every failure on the way is answered by {@link RequestFailures} (an error reply with its
 * code, counted and logged there), so a failed command never stops the loop that runs it.
 *
 * <p>Thread-safe: stateless apart from the thread-safe failures and observer.
 */
public final class CommandDispatcher {
  /** Receives the outcome of every request, for metrics. Implementations are thread-safe. */
  @FunctionalInterface
  public interface RequestObserver {
    /** Observes nothing. */
    RequestObserver NONE = (type, nanos, failed) -> {};

    /**
     * One request served.
     *
     * @param command the command string if known, else {@code "unknown"}
     * @param nanos time spent in the handler
     * @param failed whether it was answered with an error
     */
    void observe(String command, long nanos, boolean failed);

    /**
     * This observer, then another.
     *
     * @param next the other observer
     * @return an observer telling both
     */
    default RequestObserver andThen(RequestObserver next) {
      return (command, nanos, failed) -> {
        observe(command, nanos, failed);
        next.observe(command, nanos, failed);
      };
    }
  }

  /**
   * A request ready to run, or an answer already known (a parse or dispatch error).
   *
   * @param command the command to run, or null when {@code answer} is set
   * @param request the parsed request, or null
   * @param answer the immediate reply, or null
   */
  public record Prepared(CommandTable.Command command, Request request, Reply answer) {
    /**
     * Whether the request should run on the worker pool.
     *
     * @return true to offload
     */
    public boolean onWorker() {
      if (command == null) {
        return false;
      }
      try {
        return command.placement().onWorker(request);
      } catch (RuntimeException e) {
        return false; // the handler reads the same fields and answers the error
      }
    }

    /**
     * The request type, for error messages.
     *
     * @return the type, or {@code "unknown"} when the frame could not be read
     */
    public String type() {
      return request == null ? "unknown" : request.type();
    }
  }

  private final CommandTable table;
  private final RequestFailures failures;
  private final RequestObserver observer;

  /**
   * A dispatcher over a filled table.
   *
   * @param table the commands
   * @param failures answers, counts and logs failed requests
   * @param observer where outcomes are reported
   */
  public CommandDispatcher(CommandTable table, RequestFailures failures, RequestObserver observer) {
    this.table = table;
    this.failures = failures;
    this.observer = observer;
  }

  /**
   * Parses and routes a frame body. Cheap; runs on the event loop.
   *
   * @param body the JSON bytes (not released here)
   * @param connection the connection
   * @return the prepared request or the immediate error answer
   */
  public Prepared prepare(ByteBuf body, Connection connection) {
    Request request;
    try {
      request = JsonCodec.parseRequest(body);
    } catch (CellarException e) {
      return failed(null, "unparsable", e);
    }
    if (!connection.registered() && !"register_request".equals(request.type())) {
      return failed(
          request,
          "unregistered",
          CellarException.invalid(
              "The connection is not registered yet, command is: " + request.type()));
    }
    CommandTable.Command command = table.lookup(request.type());
    if (command == null) {
      return failed(
          request, "unknown", CellarException.invalid("Got unexpected command: " + request.type()));
    }
    return new Prepared(command, request, null);
  }

  private Prepared failed(Request request, String what, CellarException e) {
    observer.observe(what, 0, true);
    return new Prepared(null, request, failures.answer(request == null ? what : request.type(), e));
  }

  /**
   * Runs a prepared request's handler, answering any failure as an error reply.
   *
   * @param prepared the prepared request
   * @param connection the connection
   * @return the reply, never null; a deferred reply's future may fail, to be answered with {@link
   *     #failure(Prepared, Throwable)}
   */
  public Reply run(Prepared prepared, Connection connection) {
    if (prepared.answer() != null) {
      return prepared.answer();
    }
    long start = System.nanoTime();
    boolean failed = false;
    try {
      return prepared.command().handler().handle(prepared.request(), connection);
    } catch (RuntimeException | StackOverflowError e) {
      failed = true;
      return failures.answer(prepared.type(), e);
    } finally {
      observer.observe(prepared.command().type(), System.nanoTime() - start, failed);
    }
  }

  /**
   * The error reply for a request that failed after its handler returned (a deferred reply whose
   * future failed, a remote upload that could not finish, work the pool refused).
   *
   * @param prepared the request
   * @param t the failure
   * @return the error reply, counted and logged
   */
  public Reply failure(Prepared prepared, Throwable t) {
    return failures.answer(prepared.type(), t);
  }
}
