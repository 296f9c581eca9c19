package io.cellar.posix;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Map;

/**
 * The Linux {@code errno} values the project looks at, by name, and their descriptions ({@code
 * strerror}). The one home of these numbers: no other class defines an errno constant.
 *
 * <p>Stateless and thread-safe. Linux values (x86-64 and aarch64 share them).
 */
public final class Errno {
  /** {@code EPERM}. */
  public static final int EPERM = 1;

  /** {@code ENOENT}. */
  public static final int ENOENT = 2;

  /** {@code EINTR}: a signal interrupted the call; safe calls are retried. */
  public static final int EINTR = 4;

  /** {@code EIO}. */
  public static final int EIO = 5;

  /** {@code EBADF}. */
  public static final int EBADF = 9;

  /** {@code EAGAIN} (also {@code EWOULDBLOCK}). */
  public static final int EAGAIN = 11;

  /** {@code ENOMEM}: no memory, and also what hugetlb calls return with no huge pages. */
  public static final int ENOMEM = 12;

  /** {@code EACCES}. */
  public static final int EACCES = 13;

  /** {@code EFAULT}. */
  public static final int EFAULT = 14;

  /** {@code EBUSY}. */
  public static final int EBUSY = 16;

  /** {@code EEXIST}. */
  public static final int EEXIST = 17;

  /** {@code ENODEV}. */
  public static final int ENODEV = 19;

  /** {@code ENOTDIR}. */
  public static final int ENOTDIR = 20;

  /** {@code EISDIR}: also what {@code open(O_TMPFILE)} answers where it is not supported. */
  public static final int EISDIR = 21;

  /** {@code EINVAL}: also what {@code madvise} returns for advice the kernel does not know. */
  public static final int EINVAL = 22;

  /** {@code ENFILE}. */
  public static final int ENFILE = 23;

  /** {@code EMFILE}. */
  public static final int EMFILE = 24;

  /** {@code EFBIG}. */
  public static final int EFBIG = 27;

  /** {@code ENOSPC}. */
  public static final int ENOSPC = 28;

  /** {@code EROFS}. */
  public static final int EROFS = 30;

  /** {@code EPIPE}. */
  public static final int EPIPE = 32;

  /** {@code ENOSYS}. */
  public static final int ENOSYS = 38;

  /** {@code EOVERFLOW}. */
  public static final int EOVERFLOW = 75;

  /** {@code EOPNOTSUPP}: also what {@code fallocate} answers on a file system without holes. */
  public static final int EOPNOTSUPP = 95;

  /** {@code ECONNRESET}. */
  public static final int ECONNRESET = 104;

  /** {@code ECONNREFUSED}. */
  public static final int ECONNREFUSED = 111;

  private static final Map<Integer, String> NAMES =
      Map.ofEntries(
          Map.entry(EPERM, "EPERM"),
          Map.entry(ENOENT, "ENOENT"),
          Map.entry(EINTR, "EINTR"),
          Map.entry(EIO, "EIO"),
          Map.entry(EBADF, "EBADF"),
          Map.entry(EAGAIN, "EAGAIN"),
          Map.entry(ENOMEM, "ENOMEM"),
          Map.entry(EACCES, "EACCES"),
          Map.entry(EFAULT, "EFAULT"),
          Map.entry(EBUSY, "EBUSY"),
          Map.entry(EEXIST, "EEXIST"),
          Map.entry(ENODEV, "ENODEV"),
          Map.entry(ENOTDIR, "ENOTDIR"),
          Map.entry(EISDIR, "EISDIR"),
          Map.entry(EINVAL, "EINVAL"),
          Map.entry(ENFILE, "ENFILE"),
          Map.entry(EMFILE, "EMFILE"),
          Map.entry(EFBIG, "EFBIG"),
          Map.entry(ENOSPC, "ENOSPC"),
          Map.entry(EROFS, "EROFS"),
          Map.entry(EPIPE, "EPIPE"),
          Map.entry(ENOSYS, "ENOSYS"),
          Map.entry(EOVERFLOW, "EOVERFLOW"),
          Map.entry(EOPNOTSUPP, "EOPNOTSUPP"),
          Map.entry(ECONNRESET, "ECONNRESET"),
          Map.entry(ECONNREFUSED, "ECONNREFUSED"));

  private static final MethodHandle STRERROR =
      Downcall.plain("strerror", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

  private Errno() {}

  /**
   * The symbolic name of an errno.
   *
   * @param errno an errno value
   * @return for example {@code "ENOMEM"}, or {@code "errno 123"} for a value not listed here
   */
  public static String name(int errno) {
    return NAMES.getOrDefault(errno, "errno " + errno);
  }

  /**
   * An errno as its name and the C library's text, for example {@code "ENOMEM (Cannot allocate
   * memory)"}.
   *
   * @param errno an errno value
   * @return the description
   */
  public static String describe(int errno) {
    return name(errno) + " (" + text(errno) + ")";
  }

  @SuppressWarnings("restricted")
  private static String text(int errno) {
    try {
      MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
      return text.equals(MemorySegment.NULL) ? "?" : text.reinterpret(1024).getString(0);
    } catch (Throwable t) {
      return "?";
    }
  }
}
