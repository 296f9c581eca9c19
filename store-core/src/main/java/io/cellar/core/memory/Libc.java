package io.cellar.core.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Map;

/**
 * FFM bindings to the Linux calls behind shared memory: {@code memfd_create}, {@code ftruncate},
 * {@code mmap}, {@code munmap}, {@code madvise}, {@code mincore}, {@code pwrite}, {@code close}.
 * Every call captures {@code errno} right after it returns ({@link Linker.Option#captureCallState})
 * and a failure becomes an {@link ErrnoException} naming the call, the errno and its text.
 *
 * <p>Stateless and thread-safe. Addresses are plain {@code long}s; the caller owns what they point
 * to. Only for Linux on 64-bit platforms.
 */
public final class Libc {
  /** {@code EPERM}. */
  public static final int EPERM = 1;

  /** {@code ENOENT}. */
  public static final int ENOENT = 2;

  /** {@code EBADF}. */
  public static final int EBADF = 9;

  /** {@code EAGAIN}. */
  public static final int EAGAIN = 11;

  /** {@code ENOMEM}: no memory, and also what hugetlb calls return with no huge pages. */
  public static final int ENOMEM = 12;

  /** {@code EACCES}. */
  public static final int EACCES = 13;

  /** {@code EINVAL}: also what {@code madvise} returns for advice an old kernel does not know. */
  public static final int EINVAL = 22;

  /** {@code ENOSYS}. */
  public static final int ENOSYS = 38;

  /** {@code MFD_CLOEXEC}. */
  public static final int MFD_CLOEXEC = 0x1;

  /** {@code MFD_HUGETLB}. */
  public static final int MFD_HUGETLB = 0x4;

  /** {@code MFD_HUGE_2MB}: 21 (log2 of 2 MiB) shifted by {@code MFD_HUGE_SHIFT} (26). */
  public static final int MFD_HUGE_2MB = 21 << 26;

  /** {@code PROT_READ}. */
  public static final int PROT_READ = 0x1;

  /** {@code PROT_WRITE}. */
  public static final int PROT_WRITE = 0x2;

  /** {@code MAP_SHARED}. */
  public static final int MAP_SHARED = 0x1;

  /** {@code MAP_POPULATE}: fault the whole mapping in at {@code mmap} time. */
  public static final int MAP_POPULATE = 0x8000;

  /** {@code MADV_DONTNEED}: drop this mapping's page table entries (shared file pages stay). */
  public static final int MADV_DONTNEED = 4;

  /** {@code MADV_REMOVE}: free the backing pages of a shared mapping (reads give zeros after). */
  public static final int MADV_REMOVE = 9;

  private static final long MAP_FAILED = -1L;
  private static final int SC_PAGESIZE = 30;

  private static final Map<Integer, String> ERRNO_NAMES =
      Map.ofEntries(
          Map.entry(EPERM, "EPERM"),
          Map.entry(ENOENT, "ENOENT"),
          Map.entry(4, "EINTR"),
          Map.entry(5, "EIO"),
          Map.entry(EBADF, "EBADF"),
          Map.entry(EAGAIN, "EAGAIN"),
          Map.entry(ENOMEM, "ENOMEM"),
          Map.entry(EACCES, "EACCES"),
          Map.entry(14, "EFAULT"),
          Map.entry(16, "EBUSY"),
          Map.entry(17, "EEXIST"),
          Map.entry(19, "ENODEV"),
          Map.entry(EINVAL, "EINVAL"),
          Map.entry(23, "ENFILE"),
          Map.entry(24, "EMFILE"),
          Map.entry(27, "EFBIG"),
          Map.entry(28, "ENOSPC"),
          Map.entry(30, "EROFS"),
          Map.entry(ENOSYS, "ENOSYS"),
          Map.entry(75, "EOVERFLOW"),
          Map.entry(95, "EOPNOTSUPP"));

  private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

  private static final MethodHandle MEMFD_CREATE =
      capturing(
          "memfd_create",
          FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
  private static final MethodHandle FTRUNCATE =
      capturing(
          "ftruncate",
          FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
  private static final MethodHandle MMAP =
      capturing(
          "mmap",
          FunctionDescriptor.of(
              ValueLayout.ADDRESS,
              ValueLayout.ADDRESS,
              ValueLayout.JAVA_LONG,
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_LONG));
  private static final MethodHandle MUNMAP =
      capturing(
          "munmap",
          FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
  private static final MethodHandle MADVISE =
      capturing(
          "madvise",
          FunctionDescriptor.of(
              ValueLayout.JAVA_INT,
              ValueLayout.ADDRESS,
              ValueLayout.JAVA_LONG,
              ValueLayout.JAVA_INT));
  private static final MethodHandle MINCORE =
      capturing(
          "mincore",
          FunctionDescriptor.of(
              ValueLayout.JAVA_INT,
              ValueLayout.ADDRESS,
              ValueLayout.JAVA_LONG,
              ValueLayout.ADDRESS));
  private static final MethodHandle PWRITE =
      capturing(
          "pwrite",
          FunctionDescriptor.of(
              ValueLayout.JAVA_LONG,
              ValueLayout.JAVA_INT,
              ValueLayout.ADDRESS,
              ValueLayout.JAVA_LONG,
              ValueLayout.JAVA_LONG));
  private static final MethodHandle CLOSE =
      capturing("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
  private static final MethodHandle STRERROR =
      plain("strerror", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
  private static final MethodHandle SYSCONF =
      plain("sysconf", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

  private static final long PAGE_SIZE = querySysconf(SC_PAGESIZE);

  private Libc() {}

  /**
   * The system page size ({@code sysconf(_SC_PAGESIZE)}), read once.
   *
   * @return the page size in bytes, e.g. 4096
   */
  public static long pageSize() {
    return PAGE_SIZE;
  }

  /**
   * {@code memfd_create(name, flags)}.
   *
   * @param name the file's name, shown in {@code /proc/self/fd} as {@code /memfd:<name>}
   * @param flags {@code MFD_*} flags
   * @return the new file descriptor; the caller owns it and must {@link #close(int)} it
   * @throws ErrnoException when the call fails
   */
  public static int memfdCreate(String name, int flags) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
      int fd = (int) MEMFD_CREATE.invokeExact(capture, arena.allocateFrom(name), flags);
      if (fd < 0) {
        throw new ErrnoException(
            "memfd_create(\"" + name + "\", 0x" + Integer.toHexString(flags) + ")", errno(capture));
      }
      return fd;
    } catch (ErrnoException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("memfd_create could not be called", t);
    }
  }

  /**
   * {@code ftruncate(fd, length)}.
   *
   * @param fd the file
   * @param length the new length in bytes
   * @throws ErrnoException when the call fails
   */
  public static void ftruncate(int fd, long length) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
      int rc = (int) FTRUNCATE.invokeExact(capture, fd, length);
      if (rc != 0) {
        throw new ErrnoException("ftruncate(fd=" + fd + ", " + length + ")", errno(capture));
      }
    } catch (ErrnoException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("ftruncate could not be called", t);
    }
  }

  /**
   * {@code mmap(NULL, length, prot, flags, fd, offset)}.
   *
   * @param length bytes to map
   * @param prot {@code PROT_*} bits
   * @param flags {@code MAP_*} bits
   * @param fd the file
   * @param offset the file offset, a multiple of the page size
   * @return the address of the mapping (page aligned); the caller owns it and must {@link
   *     #munmap(long, long)} it
   * @throws ErrnoException when the call fails
   */
  public static long mmap(long length, int prot, int flags, int fd, long offset) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
      MemorySegment addr =
          (MemorySegment)
              MMAP.invokeExact(capture, MemorySegment.NULL, length, prot, flags, fd, offset);
      if (addr.address() == MAP_FAILED) {
        throw new ErrnoException(
            "mmap(length="
                + length
                + ", prot=0x"
                + Integer.toHexString(prot)
                + ", flags=0x"
                + Integer.toHexString(flags)
                + ", fd="
                + fd
                + ")",
            errno(capture));
      }
      return addr.address();
    } catch (ErrnoException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("mmap could not be called", t);
    }
  }

  /**
   * {@code munmap(address, length)}.
   *
   * @param address a mapping's address
   * @param length its length
   * @throws ErrnoException when the call fails
   */
  public static void munmap(long address, long length) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
      int rc = (int) MUNMAP.invokeExact(capture, MemorySegment.ofAddress(address), length);
      if (rc != 0) {
        throw new ErrnoException(
            "munmap(0x" + Long.toHexString(address) + ", " + length + ")", errno(capture));
      }
    } catch (ErrnoException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("munmap could not be called", t);
    }
  }

  /**
   * {@code madvise(address, length, advice)}, returning the errno instead of throwing, so that a
   * caller can fall back on advice an older kernel rejects with {@link #EINVAL}.
   *
   * @param address page-aligned start
   * @param length bytes
   * @param advice a {@code MADV_*} value
   * @return 0 on success, else the errno
   */
  public static int madvise(long address, long length, int advice) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
      int rc = (int) MADVISE.invokeExact(capture, MemorySegment.ofAddress(address), length, advice);
      return rc == 0 ? 0 : errno(capture);
    } catch (Throwable t) {
      throw new IllegalStateException("madvise could not be called", t);
    }
  }

  /**
   * {@code mincore(address, length, vec)}: which pages of a mapping are resident. For a shared file
   * mapping this asks the file's page cache, so pages other processes (or {@code pwrite}) brought
   * in count even when this mapping never touched them.
   *
   * @param address page-aligned start
   * @param length bytes
   * @return the number of resident pages in the range
   * @throws ErrnoException when the call fails
   */
  public static long residentPages(long address, long length) {
    long pages = (length + PAGE_SIZE - 1) / PAGE_SIZE;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
      MemorySegment vec = arena.allocate(Math.max(1, pages));
      int rc = (int) MINCORE.invokeExact(capture, MemorySegment.ofAddress(address), length, vec);
      if (rc != 0) {
        throw new ErrnoException("mincore(" + length + " bytes)", errno(capture));
      }
      long resident = 0;
      for (long i = 0; i < pages; i++) {
        resident += vec.get(ValueLayout.JAVA_BYTE, i) & 1;
      }
      return resident;
    } catch (ErrnoException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("mincore could not be called", t);
    }
  }

  /**
   * {@code pwrite(fd, buffer, count, offset)}, repeated until every byte is written.
   *
   * @param fd the file
   * @param buffer the bytes to write (a native segment)
   * @param offset the file offset
   * @throws ErrnoException when a call fails
   */
  public static void pwriteFully(int fd, MemorySegment buffer, long offset) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
      long done = 0;
      while (done < buffer.byteSize()) {
        long n =
            (long)
                PWRITE.invokeExact(
                    capture, fd, buffer.asSlice(done), buffer.byteSize() - done, offset + done);
        if (n <= 0) {
          int errno = n == 0 ? EAGAIN : errno(capture);
          throw new ErrnoException(
              "pwrite(fd="
                  + fd
                  + ", "
                  + (buffer.byteSize() - done)
                  + " at "
                  + (offset + done)
                  + ")",
              errno);
        }
        done += n;
      }
    } catch (ErrnoException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("pwrite could not be called", t);
    }
  }

  /**
   * {@code close(fd)}.
   *
   * @param fd the file descriptor
   * @throws ErrnoException when the call fails
   */
  public static void close(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
      int rc = (int) CLOSE.invokeExact(capture, fd);
      if (rc != 0) {
        throw new ErrnoException("close(" + fd + ")", errno(capture));
      }
    } catch (ErrnoException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("close could not be called", t);
    }
  }

  /**
   * An errno as its name and text, for example {@code "ENOMEM (Cannot allocate memory)"}.
   *
   * @param errno an errno value
   * @return the description; unknown values read {@code "errno 123 (...)"}
   */
  public static String describeErrno(int errno) {
    String name = ERRNO_NAMES.getOrDefault(errno, "errno " + errno);
    return name + " (" + strerror(errno) + ")";
  }

  @SuppressWarnings("restricted")
  private static String strerror(int errno) {
    try {
      MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
      return text.equals(MemorySegment.NULL) ? "?" : text.reinterpret(1024).getString(0);
    } catch (Throwable t) {
      return "?";
    }
  }

  private static long querySysconf(int name) {
    try {
      long v = (long) SYSCONF.invokeExact(name);
      return v > 0 ? v : 4096;
    } catch (Throwable t) {
      return 4096;
    }
  }

  private static int errno(MemorySegment capture) {
    return (int) ERRNO.get(capture, 0L);
  }

  @SuppressWarnings("restricted")
  private static MethodHandle capturing(String name, FunctionDescriptor fd) {
    Linker linker = Linker.nativeLinker();
    return linker.downcallHandle(
        linker.defaultLookup().findOrThrow(name), fd, Linker.Option.captureCallState("errno"));
  }

  @SuppressWarnings("restricted")
  private static MethodHandle plain(String name, FunctionDescriptor fd) {
    Linker linker = Linker.nativeLinker();
    return linker.downcallHandle(linker.defaultLookup().findOrThrow(name), fd);
  }
}
