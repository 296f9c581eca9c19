package io.cellar.protocol;

/**
 * The one exception family of Cellar: a failure that carries the protocol's {@link StatusCode}, so
 * that a server can answer it as {@code {"code": N, "message": "..."}} and a client can raise it
 * again on its side.
 *
 * <p>Unchecked. Instances are immutable.
 */
public class CellarException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final StatusCode status;

  /**
   * A failure with a status and a human-readable message.
   *
   * @param status the protocol status, never {@link StatusCode#OK}
   * @param message what went wrong, for a person
   */
  public CellarException(StatusCode status, String message) {
    super(message);
    this.status = status;
  }

  /**
   * A failure with a status, a message and the exception that caused it.
   *
   * @param status the protocol status, never {@link StatusCode#OK}
   * @param message what went wrong, for a person
   * @param cause the underlying failure
   */
  public CellarException(StatusCode status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /**
   * The protocol status of this failure.
   *
   * @return the status code
   */
  public StatusCode status() {
    return status;
  }

  /**
   * A failure with {@link StatusCode#INVALID}.
   *
   * @param message what went wrong
   * @return the exception, to be thrown by the caller
   */
  public static CellarException invalid(String message) {
    return new CellarException(StatusCode.INVALID, message);
  }

  /**
   * A failure with {@link StatusCode#OBJECT_NOT_EXISTS}.
   *
   * @param message what went wrong
   * @return the exception, to be thrown by the caller
   */
  public static CellarException notExists(String message) {
    return new CellarException(StatusCode.OBJECT_NOT_EXISTS, message);
  }

  /**
   * A failure with {@link StatusCode#NOT_ENOUGH_MEMORY}.
   *
   * @param message what went wrong
   * @return the exception, to be thrown by the caller
   */
  public static CellarException notEnoughMemory(String message) {
    return new CellarException(StatusCode.NOT_ENOUGH_MEMORY, message);
  }
}
