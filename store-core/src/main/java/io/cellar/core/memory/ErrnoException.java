package io.cellar.core.memory;

import io.cellar.core.error.CellarException;
import io.cellar.core.error.StatusCode;

/**
 * A failed Linux call: names the call, the errno and its text, for example {@code "mmap(length=
 * 4294967296) failed: ENOMEM (Cannot allocate memory)"}. ENOMEM maps to {@link
 * StatusCode#NOT_ENOUGH_MEMORY}, everything else to {@link StatusCode#IO_ERROR}.
 *
 * <p>Immutable.
 */
public final class ErrnoException extends CellarException {
  private static final long serialVersionUID = 1L;

  private final int errno;

  /**
   * A failure of one call.
   *
   * @param call the call and its interesting arguments, e.g. {@code "ftruncate(fd=5, 1024)"}
   * @param errno the errno value captured right after the call
   */
  public ErrnoException(String call, int errno) {
    super(
        errno == Libc.ENOMEM ? StatusCode.NOT_ENOUGH_MEMORY : StatusCode.IO_ERROR,
        call + " failed: " + Libc.describeErrno(errno));
    this.errno = errno;
  }

  /**
   * The errno value of the failed call.
   *
   * @return the errno, e.g. {@link Libc#ENOMEM}
   */
  public int errno() {
    return errno;
  }
}
