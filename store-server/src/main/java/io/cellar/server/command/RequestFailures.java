package io.cellar.server.command;

import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import io.cellar.server.protocol.Replies;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a failed request becomes its answer: the protocol's error reply ({@code {"code": N,
 * "message": "..."}}, reference §1.3) with the failure's status code, counted under that code, and
 * logged. Every path that answers a request with an error goes through {@link #answer}: bad frames
 * and unknown or unregistered commands, handler exceptions, failed deferred replies, a worker pool
 * that refuses work, and a remote-buffer upload whose second reply fails (Aeron's command-adapter
 * rule: answered, counted, logged, and the loop goes on).
 *
 * <p>Logging: a failure the protocol expects (a {@link CellarException}, or an {@link
 * IllegalArgumentException} from reading a request) at debug level; anything else, a server bug, at
 * warn level with its stack trace and answered UnknownError (255).
 *
 * <p>Thread-safe: stateless apart from the thread-safe counter; called from event loops and
 * workers.
 */
public final class RequestFailures {
  private static final Logger LOG = LoggerFactory.getLogger(RequestFailures.class);

  /** Counts error replies by status code; implementations are thread-safe and cheap. */
  @FunctionalInterface
  public interface Counter {
    /** Counts nothing. */
    Counter NONE = code -> {};

    /**
     * One error reply sent.
     *
     * @param code its status code, never OK
     */
    void count(StatusCode code);
  }

  private final Counter counter;

  /**
   * Failures counted into a counter.
   *
   * @param counter where each error reply is counted
   */
  public RequestFailures(Counter counter) {
    this.counter = counter;
  }

  /**
   * Answers a failed request: builds its error reply, counts it under its code, logs it.
   *
   * @param command the request type, or what stood in for it when it could not be read
   * @param failure why it failed; {@link CompletionException} and {@link ExecutionException}
   *     wrappers are looked through
   * @return the error reply
   */
  public Reply answer(String command, Throwable failure) {
    Throwable cause = unwrap(failure);
    CellarException error = asCellarException(command, cause);
    counter.count(error.status());
    if (cause instanceof CellarException || cause instanceof IllegalArgumentException) {
      LOG.debug(
          "{} answered {} ({}): {}",
          command,
          error.status().code(),
          error.status(),
          error.getMessage());
    } else {
      LOG.warn("{} failed unexpectedly, answered UnknownError", command, cause);
    }
    return Reply.of(Replies.error(error));
  }

  /**
   * The protocol error a failure is answered with: a {@link CellarException} as it is, an {@link
   * IllegalArgumentException} as Invalid (1), anything else as UnknownError (255) naming its class.
   *
   * @param command the request type, for the message
   * @param cause the failure, already unwrapped
   * @return the exception carrying the code and message to send
   */
  static CellarException asCellarException(String command, Throwable cause) {
    if (cause instanceof CellarException ce) {
      return ce;
    }
    if (cause instanceof IllegalArgumentException) {
      return new CellarException(StatusCode.INVALID, command + ": " + cause.getMessage(), cause);
    }
    return new CellarException(
        StatusCode.UNKNOWN_ERROR,
        command + " failed: " + cause.getClass().getSimpleName() + ": " + cause.getMessage(),
        cause);
  }

  private static Throwable unwrap(Throwable t) {
    Throwable cause = t;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
