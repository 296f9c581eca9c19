package io.cellar.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Mapping calls: {@code mmap}, {@code munmap}, {@code madvise}, {@code mincore}, and the page size.
 * Addresses are plain {@code long}s; the caller owns what they point to and unmaps it.
 *
 * <p>Stateless and thread-safe; each call allocates its own call state.
 */
public final class MemoryCalls {
  /** {@code PROT_READ}. */
  public static final int PROT_READ = 0x1;

  /** {@code PROT_WRITE}. */
  public static final int PROT_WRITE = 0x2;

  /** {@code MAP_SHARED}. */
  public static final int MAP_SHARED = 0x1;

  /** {@code MAP_PRIVATE}. */
  public static final int MAP_PRIVATE = 0x2;

  /** {@code MAP_FIXED}: place the mapping exactly at the given address. */
  public static final int MAP_FIXED = 0x10;

  /** {@code MAP_ANONYMOUS}. */
  public static final int MAP_ANONYMOUS = 0x20;

  /** {@code MAP_NORESERVE}. */
  public static final int MAP_NORESERVE = 0x4000;

  /** {@code MAP_POPULATE}: fault the whole mapping in at {@code mmap} time. */
  public static final int MAP_POPULATE = 0x8000;

  /** {@code PROT_NONE}. */
  public static final int PROT_NONE = 0;

  /** {@code MADV_DONTNEED}: drop this mapping's page table entries (shared file pages stay). */
  public static final int MADV_DONTNEED = 4;

  /** {@code MADV_REMOVE}: free the backing pages of a shared mapping (reads give zeros after). */
  public static final int MADV_REMOVE = 9;

  /** {@code MADV_HUGEPAGE}: ask for transparent huge pages on this range. */
  public static final int MADV_HUGEPAGE = 14;

  /** {@code MADV_POPULATE_WRITE}: fault the range in, writable (Linux 5.14). */
  public static final int MADV_POPULATE_WRITE = 23;

  private static final long MAP_FAILED = -1L;
  private static final int SC_PAGESIZE = 30;

  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
  private static final ValueLayout ADDRESS = ValueLayout.ADDRESS;

  private static final MethodHandle MMAP =
      Downcall.capturing(
          "mmap", FunctionDescriptor.of(ADDRESS, ADDRESS, LONG, INT, INT, INT, LONG));
  private static final MethodHandle MUNMAP =
      Downcall.capturing("munmap", FunctionDescriptor.of(INT, ADDRESS, LONG));
  private static final MethodHandle MADVISE =
      Downcall.capturing("madvise", FunctionDescriptor.of(INT, ADDRESS, LONG, INT));
  private static final MethodHandle MINCORE =
      Downcall.capturing("mincore", FunctionDescriptor.of(INT, ADDRESS, LONG, ADDRESS));
  private static final MethodHandle SYSCONF =
      Downcall.plain("sysconf", FunctionDescriptor.of(LONG, INT));

  private static final long PAGE_SIZE = querySysconf(SC_PAGESIZE);

  private MemoryCalls() {}

  /**
   * The system page size ({@code sysconf(_SC_PAGESIZE)}), read once.
   *
   * @return the page size in bytes, e.g. 4096
   */
  public static long pageSize() {
    return PAGE_SIZE;
  }

  /**
   * {@code mmap(hint, length, prot, flags, fd, offset)}.
   *
   * @param hint the address to map at with {@link #MAP_FIXED}, else 0 (the kernel chooses)
   * @param length bytes to map
   * @param prot {@code PROT_*} bits
   * @param flags {@code MAP_*} bits
   * @param fd the file, or -1 with {@link #MAP_ANONYMOUS}
   * @param offset the file offset, a multiple of the page size
   * @return the mapping's address (page aligned), to be {@link #munmap unmapped} by the caller
   * @throws ErrnoException when the call fails
   */
  public static long mmap(long hint, long length, int prot, int flags, int fd, long offset)
      throws ErrnoException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcall.newCallState(arena);
      MemorySegment addr =
          (MemorySegment)
              MMAP.invokeExact(
                  state, MemorySegment.ofAddress(hint), length, prot, flags, fd, offset);
      if (addr.address() == MAP_FAILED) {
        throw Downcall.failure(
            "mmap(length="
                + length
                + ", prot=0x"
                + Integer.toHexString(prot)
                + ", flags=0x"
                + Integer.toHexString(flags)
                + ", fd="
                + fd
                + ")",
            state);
      }
      return addr.address();
    } catch (ErrnoException e) {
      throw e;
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }

  /**
   * Maps a file at an address that is a multiple of {@code alignment} (for 2 MiB pages, whose page
   * table entries need a 2 MiB aligned virtual address): reserves {@code length + alignment} bytes
   * {@code PROT_NONE}, maps the file with {@link #MAP_FIXED} at the first aligned address inside
   * the reservation, and unmaps the unused head and tail. The result is one mapping of exactly
   * {@code length} bytes, unmapped with {@link #munmap} like any other.
   *
   * @param length bytes to map
   * @param prot {@code PROT_*} bits
   * @param flags {@code MAP_*} bits (not {@link #MAP_FIXED})
   * @param fd the file
   * @param offset the file offset, a multiple of the page size
   * @param alignment a power of two, at least the page size
   * @return the mapping's address, a multiple of {@code alignment}
   * @throws ErrnoException when a call fails (nothing stays mapped)
   */
  public static long mmapAligned(
      long length, int prot, int flags, int fd, long offset, long alignment) throws ErrnoException {
    if (alignment <= PAGE_SIZE) {
      return mmap(0, length, prot, flags, fd, offset);
    }
    if (Long.bitCount(alignment) != 1) {
      throw new IllegalArgumentException("alignment must be a power of two: " + alignment);
    }
    long pages = (length + PAGE_SIZE - 1) & -PAGE_SIZE; // the kernel maps whole pages
    long span = pages + alignment;
    long reserved = mmap(0, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    long aligned = (reserved + alignment - 1) & -alignment;
    long address;
    try {
      address = mmap(aligned, length, prot, flags | MAP_FIXED, fd, offset);
    } catch (ErrnoException e) {
      munmap(reserved, span);
      throw e;
    }
    if (aligned > reserved) {
      munmap(reserved, aligned - reserved);
    }
    long tail = reserved + span - (aligned + pages);
    if (tail > 0) {
      munmap(aligned + pages, tail);
    }
    return address;
  }

  /**
   * {@code munmap(address, length)}.
   *
   * @param address a mapping's address
   * @param length its length
   * @throws ErrnoException when the call fails
   */
  public static void munmap(long address, long length) throws ErrnoException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcall.newCallState(arena);
      if ((int) MUNMAP.invokeExact(state, MemorySegment.ofAddress(address), length) != 0) {
        throw Downcall.failure(
            "munmap(0x" + Long.toHexString(address) + ", " + length + ")", state);
      }
    } catch (ErrnoException e) {
      throw e;
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }

  /**
   * {@code madvise(address, length, advice)}, answering the errno instead of throwing, so that a
   * caller can fall back on advice the kernel rejects with {@link Errno#EINVAL}.
   *
   * @param address page-aligned start
   * @param length bytes
   * @param advice a {@code MADV_*} value
   * @return 0 on success, else the errno
   */
  public static int madvise(long address, long length, int advice) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcall.newCallState(arena);
      int rc = (int) MADVISE.invokeExact(state, MemorySegment.ofAddress(address), length, advice);
      return rc == 0 ? 0 : Downcall.errno(state);
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }

  /**
   * {@code mincore(address, length, vec)}: how many pages of a mapping are resident. For a shared
   * file mapping this asks the file's page cache, so pages other processes (or {@code pwrite})
   * brought in count even when this mapping never touched them.
   *
   * @param address page-aligned start
   * @param length bytes
   * @return the number of resident pages in the range
   * @throws ErrnoException when the call fails
   */
  public static long residentPages(long address, long length) throws ErrnoException {
    long pages = (length + PAGE_SIZE - 1) / PAGE_SIZE;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcall.newCallState(arena);
      MemorySegment vec = arena.allocate(Math.max(1, pages));
      int rc = (int) MINCORE.invokeExact(state, MemorySegment.ofAddress(address), length, vec);
      if (rc != 0) {
        throw Downcall.failure("mincore(" + length + " bytes)", state);
      }
      long resident = 0;
      for (long i = 0; i < pages; i++) {
        resident += vec.get(ValueLayout.JAVA_BYTE, i) & 1;
      }
      return resident;
    } catch (ErrnoException e) {
      throw e;
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
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
}
