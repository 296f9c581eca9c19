package io.cellar.posix;

import java.io.IOException;

/**
 * A failed Linux call: names the call, the errno and its text, for example {@code "mmap(length=
 * 4294967296, ...) failed: ENOMEM (Cannot allocate memory)"}. Callers that speak the wire protocol
 * turn it into their own error (the engine maps {@link Errno#ENOMEM} to NotEnoughMemory).
 *
 * <p>Immutable.
 */
public final class ErrnoException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int errno;

  /**
   * A failure of one call.
   *
   * @param call the call and its interesting arguments, e.g. {@code "ftruncate(fd=5, 1024)"}
   * @param errno the errno value captured right after the call
   */
  public ErrnoException(String call, int errno) {
    super(call + " failed: " + Errno.describe(errno));
    this.errno = errno;
  }

  /**
   * The errno value of the failed call.
   *
   * @return the errno, e.g. {@link Errno#ENOMEM}
   */
  public int errno() {
    return errno;
  }
}
