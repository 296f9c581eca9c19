package io.cellar.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * File-descriptor calls: {@code memfd_create}, {@code open} (also {@code O_TMPFILE}), {@code
 * unlink}, {@code ftruncate}, {@code pwrite}, {@code fallocate}, {@code fcntl(F_GETFD)} and {@code
 * close}. A failure is an {@link ErrnoException} naming the call and its arguments.
 *
 * <p>Stateless and thread-safe; each call allocates its own call state. The caller owns every fd
 * these calls return and closes it with {@link #close(int)}.
 */
public final class FileCalls {
  /** {@code MFD_CLOEXEC}. */
  public static final int MFD_CLOEXEC = 0x1;

  /** {@code MFD_HUGETLB}. */
  public static final int MFD_HUGETLB = 0x4;

  /** {@code MFD_HUGE_2MB}: 21 (log2 of 2 MiB) shifted by {@code MFD_HUGE_SHIFT} (26). */
  public static final int MFD_HUGE_2MB = 21 << 26;

  /** {@code O_RDONLY}. */
  public static final int O_RDONLY = 0;

  /** {@code O_RDWR}. */
  public static final int O_RDWR = 2;

  /** {@code O_CREAT}. */
  public static final int O_CREAT = 0x40;

  /** {@code O_EXCL}. */
  public static final int O_EXCL = 0x80;

  /**
   * {@code O_TMPFILE} ({@code __O_TMPFILE | O_DIRECTORY}): open an unnamed file in a directory,
   * gone when its last fd closes. Needs {@link #O_RDWR}.
   */
  public static final int O_TMPFILE = 0x410000;

  /** {@code O_CLOEXEC}. */
  public static final int O_CLOEXEC = 0x80000;

  /** {@code FALLOC_FL_KEEP_SIZE}. */
  public static final int FALLOC_FL_KEEP_SIZE = 0x1;

  /** {@code FALLOC_FL_PUNCH_HOLE} (needs {@link #FALLOC_FL_KEEP_SIZE}): frees a range's pages. */
  public static final int FALLOC_FL_PUNCH_HOLE = 0x2;

  private static final int F_GETFD = 1;

  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
  private static final ValueLayout ADDRESS = ValueLayout.ADDRESS;

  private static final MethodHandle MEMFD_CREATE =
      Downcall.capturing("memfd_create", FunctionDescriptor.of(INT, ADDRESS, INT));
  private static final MethodHandle OPEN =
      Downcall.capturing("open", FunctionDescriptor.of(INT, ADDRESS, INT, INT));
  private static final MethodHandle UNLINK =
      Downcall.capturing("unlink", FunctionDescriptor.of(INT, ADDRESS));
  private static final MethodHandle FTRUNCATE =
      Downcall.capturing("ftruncate", FunctionDescriptor.of(INT, INT, LONG));
  private static final MethodHandle PWRITE =
      Downcall.capturing("pwrite", FunctionDescriptor.of(LONG, INT, ADDRESS, LONG, LONG));
  private static final MethodHandle FALLOCATE =
      Downcall.capturing("fallocate", FunctionDescriptor.of(INT, INT, INT, LONG, LONG));
  private static final MethodHandle FCNTL =
      Downcall.capturing("fcntl", FunctionDescriptor.of(INT, INT, INT));
  private static final MethodHandle CLOSE =
      Downcall.capturing("close", FunctionDescriptor.of(INT, INT));

  private FileCalls() {}

  /**
   * {@code memfd_create(name, flags)}.
   *
   * @param name the file's name, shown in {@code /proc/self/fd} as {@code /memfd:<name>}
   * @param flags {@code MFD_*} flags
   * @return the new fd
   * @throws ErrnoException when the call fails
   */
  public static int memfdCreate(String name, int flags) throws ErrnoException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcall.newCallState(arena);
      int fd = (int) MEMFD_CREATE.invokeExact(state, arena.allocateFrom(name), flags);
      if (fd < 0) {
        throw Downcall.failure(
            "memfd_create(\"" + name + "\", 0x" + Integer.toHexString(flags) + ")", state);
      }
      return fd;
    } catch (ErrnoException e) {
      throw e;
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }

  /**
   * {@code open(path, flags, mode)}.
   *
   * @param path the file
   * @param flags {@code O_*} flags
   * @param mode the permission bits when the file is created
   * @return the new fd
   * @throws ErrnoException when the call fails
   */
  public static int open(String path, int flags, int mode) throws ErrnoException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcall.newCallState(arena);
      int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags, mode);
      if (fd < 0) {
        throw Downcall.failure(
            "open(\"" + path + "\", 0x" + Integer.toHexString(flags) + ")", state);
      }
      return fd;
    } catch (ErrnoException e) {
      throw e;
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }

  /**
   * {@code unlink(path)}.
   *
   * @param path the file to remove
   * @throws ErrnoException when the call fails
   */
  public static void unlink(String path) throws ErrnoException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcall.newCallState(arena);
      if ((int) UNLINK.invokeExact(state, arena.allocateFrom(path)) != 0) {
        throw Downcall.failure("unlink(\"" + path + "\")", state);
      }
    } catch (ErrnoException e) {
      throw e;
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }

  /**
   * {@code ftruncate(fd, length)}.
   *
   * @param fd the file
   * @param length the new length in bytes
   * @throws ErrnoException when the call fails
   */
  public static void ftruncate(int fd, long length) throws ErrnoException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcall.newCallState(arena);
      if ((int) FTRUNCATE.invokeExact(state, fd, length) != 0) {
        throw Downcall.failure("ftruncate(fd=" + fd + ", " + length + ")", state);
      }
    } catch (ErrnoException e) {
      throw e;
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }

  /**
   * {@code pwrite(fd, buffer, count, offset)}, repeated until every byte is written ({@code EINTR}
   * retried).
   *
   * @param fd the file
   * @param buffer the bytes to write (a native segment, only read during the call)
   * @param offset the file offset
   * @throws ErrnoException when a call fails
   */
  public static void pwriteFully(int fd, MemorySegment buffer, long offset) throws ErrnoException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcall.newCallState(arena);
      long done = 0;
      while (done < buffer.byteSize()) {
        long left = buffer.byteSize() - done;
        long n = (long) PWRITE.invokeExact(state, fd, buffer.asSlice(done), left, offset + done);
        if (n < 0 && Downcall.errno(state) == Errno.EINTR) {
          continue;
        }
        if (n <= 0) {
          throw new ErrnoException(
              "pwrite(fd=" + fd + ", " + left + " at " + (offset + done) + ")",
              n == 0 ? Errno.EAGAIN : Downcall.errno(state));
        }
        done += n;
      }
    } catch (ErrnoException e) {
      throw e;
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }

  /**
   * {@code fallocate(fd, mode, offset, length)}, for example {@link #FALLOC_FL_PUNCH_HOLE} | {@link
   * #FALLOC_FL_KEEP_SIZE} to give a range's pages back to the system.
   *
   * @param fd the file
   * @param mode {@code FALLOC_FL_*} bits
   * @param offset the range's start
   * @param length the range's length
   * @return 0 on success, else the errno (a file system without holes answers {@link
   *     Errno#EOPNOTSUPP}, so callers can fall back)
   */
  public static int fallocate(int fd, int mode, long offset, long length) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcall.newCallState(arena);
      int rc = (int) FALLOCATE.invokeExact(state, fd, mode, offset, length);
      return rc == 0 ? 0 : Downcall.errno(state);
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }

  /**
   * Whether an fd is open in this process ({@code fcntl(F_GETFD)} succeeds).
   *
   * @param fd the fd
   * @return true when open
   */
  public static boolean isOpen(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      return (int) FCNTL.invokeExact(Downcall.newCallState(arena), fd, F_GETFD) >= 0;
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }

  /**
   * {@code close(fd)}.
   *
   * @param fd the fd
   * @throws ErrnoException when the call fails
   */
  public static void close(int fd) throws ErrnoException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcall.newCallState(arena);
      if ((int) CLOSE.invokeExact(state, fd) != 0) {
        throw Downcall.failure("close(" + fd + ")", state);
      }
    } catch (ErrnoException e) {
      throw e;
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }

  /**
   * Closes an fd, ignoring failures: on Linux the fd is released even when {@code close} reports an
   * error.
   *
   * @param fd the fd, or a negative number for none
   */
  public static void closeQuietly(int fd) {
    if (fd < 0) {
      return;
    }
    try {
      close(fd);
    } catch (ErrnoException e) {
      // released either way
    }
  }
}
