package io.cellar.server.command;

import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import io.cellar.server.protocol.JsonCodec;
import io.cellar.server.protocol.Replies;
import io.cellar.server.protocol.Request;
import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a frame body into a reply: parses it, checks registration, finds the command, runs its
 * handler, and answers any failure as an error reply with its code (Aeron's command-adapter rule: a
 * failed command is answered, counted, and never stops the loop).
 *
 * <p>Thread-safe: stateless apart from the thread-safe counters and observer.
 */
public final class CommandDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(CommandDispatcher.class);

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
        return false;
      }
    }
  }

  private final CommandTable table;
  private final ServerCounters counters;
  private final RequestObserver observer;

  /**
   * A dispatcher over a filled table.
   *
   * @param table the commands
   * @param counters where failures are counted
   * @param observer where outcomes are reported
   */
  public CommandDispatcher(CommandTable table, ServerCounters counters, RequestObserver observer) {
    this.table = table;
    this.counters = counters;
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
      return failed("unparsable", e);
    }
    if (!connection.registered() && !"register_request".equals(request.type())) {
      return failed(
          "unregistered",
          CellarException.invalid(
              "The connection is not registered yet, command is: " + request.type()));
    }
    CommandTable.Command command = table.lookup(request.type());
    if (command == null) {
      return failed(
          "unknown", CellarException.invalid("Got unexpected command: " + request.type()));
    }
    return new Prepared(command, request, null);
  }

  private Prepared failed(String what, CellarException e) {
    counters.countFailure();
    observer.observe(what, 0, true);
    return new Prepared(null, null, Reply.of(Replies.error(e)));
  }

  /**
   * Runs a prepared request's handler, answering any failure as an error reply.
   *
   * @param prepared the prepared request
   * @param connection the connection
   * @return the reply, never null; a deferred reply's future may fail, to be answered with {@link
   *     #failure(Request, Throwable)}
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
      return failure(prepared.request(), e);
    } finally {
      observer.observe(prepared.command().type(), System.nanoTime() - start, failed);
    }
  }

  /**
   * The error reply for a failure, counted.
   *
   * @param request the request that failed
   * @param t the failure
   * @return the error reply
   */
  public Reply failure(Request request, Throwable t) {
    counters.countFailure();
    Throwable cause = t;
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof CellarException ce) {
      return Reply.of(Replies.error(ce));
    }
    if (cause instanceof IllegalArgumentException) {
      return Reply.of(
          Replies.error(StatusCode.INVALID, request.type() + ": " + cause.getMessage()));
    }
    LOG.warn("{} failed unexpectedly", request.type(), cause);
    return Reply.of(
        Replies.error(
            StatusCode.UNKNOWN_ERROR,
            request.type()
                + " failed: "
                + cause.getClass().getSimpleName()
                + ": "
                + cause.getMessage()));
  }
}
