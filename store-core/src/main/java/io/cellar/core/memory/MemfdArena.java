package io.cellar.core.memory;

import io.cellar.posix.Errno;
import io.cellar.posix.ErrnoException;
import io.cellar.posix.FileCalls;
import io.cellar.posix.MemoryCalls;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code memfd_create} file, sized with {@code ftruncate} and mapped whole, {@code MAP_SHARED},
 * read and write, as one {@link MemorySegment} (any size, including more than 2 GiB). Other
 * processes that receive {@link #fd()} and map it see the same bytes.
 *
 * <p>Options: populate the whole file at {@code mmap} time ({@code MAP_POPULATE}, as vineyardd's
 * {@code --reserve_memory}), and 2 MiB huge pages ({@code MFD_HUGETLB|MFD_HUGE_2MB}); when the
 * system has no huge pages to give, the arena falls back to normal pages and logs one line.
 *
 * <p><b>Ownership.</b> The arena owns the fd and the mapping until {@link #close()}, which unmaps
 * and closes the fd. Its {@link #segment()} (and every slice of it) belongs to a shared FFM arena
 * closed at the same time, so a late access throws {@link IllegalStateException} instead of
 * touching unmapped memory.
 *
 * <p><b>Errors.</b> A failed system call surfaces as a {@link CellarException}: {@code ENOMEM} as
 * NotEnoughMemory, anything else as IOError, the message naming the call and the errno ({@link
 * #failure}).
 *
 * <p><b>Threading.</b> All methods are thread-safe; the segment may be read and written from any
 * thread (the arena adds no synchronisation to the bytes). {@link #close()} must not race with
 * accesses the caller still cares about.
 */
public final class MemfdArena implements AutoCloseable {
  /** The huge page size used with {@code hugePages}: 2 MiB. */
  public static final long HUGE_PAGE_SIZE = 2L << 20;

  private static final Logger LOG = LoggerFactory.getLogger(MemfdArena.class);

  /** 1 MiB of zeros, never written: the source of {@link #zeroFill}. */
  private static final MemorySegment ZEROS = Arena.global().allocate(1L << 20, 4096);

  private final int fd;
  private final long size;
  private final long address;
  private final boolean hugePages;
  private final Arena scope;
  private final MemorySegment segment;
  private final AtomicBoolean closed = new AtomicBoolean();

  private MemfdArena(int fd, long size, long address, boolean hugePages) {
    this.fd = fd;
    this.size = size;
    this.address = address;
    this.hugePages = hugePages;
    this.scope = Arena.ofShared();
    this.segment = reinterpret(address, size, scope);
  }

  /**
   * Creates and maps an arena.
   *
   * @param name the memfd's name (shown as {@code /memfd:<name>} in {@code /proc})
   * @param size the file length in bytes, at least 1; rounded up to the page size (to 2 MiB with
   *     huge pages)
   * @param populate fault every page in now ({@code MAP_POPULATE}); costs time proportional to size
   * @param hugePages try 2 MiB huge pages first, falling back to normal pages with one log line
   * @return the mapped arena, owned by the caller
   * @throws CellarException when the memfd cannot be created, sized or mapped with normal pages
   */
  public static MemfdArena create(String name, long size, boolean populate, boolean hugePages) {
    if (size <= 0) {
      throw new IllegalArgumentException("arena size must be positive: " + size);
    }
    if (hugePages) {
      long hugeSize = roundUp(size, HUGE_PAGE_SIZE);
      try {
        return map(name, hugeSize, populate, FileCalls.MFD_HUGETLB | FileCalls.MFD_HUGE_2MB, true);
      } catch (ErrnoException e) {
        LOG.info(
            "huge pages unavailable for arena {} of {} bytes ({}); using normal pages",
            name,
            hugeSize,
            e.getMessage());
      }
    }
    try {
      return map(name, roundUp(size, MemoryCalls.pageSize()), populate, 0, false);
    } catch (ErrnoException e) {
      throw failure(e);
    }
  }

  /**
   * A failed system call as the protocol's error: {@code ENOMEM} is NotEnoughMemory (41), anything
   * else IOError.
   *
   * @param e the failure
   * @return the exception to throw
   */
  public static CellarException failure(ErrnoException e) {
    return new CellarException(
        e.errno() == Errno.ENOMEM ? StatusCode.NOT_ENOUGH_MEMORY : StatusCode.IO_ERROR,
        e.getMessage(),
        e);
  }

  private static MemfdArena map(
      String name, long size, boolean populate, int extraFlags, boolean huge)
      throws ErrnoException {
    int fd = FileCalls.memfdCreate(name, FileCalls.MFD_CLOEXEC | extraFlags);
    try {
      FileCalls.ftruncate(fd, size);
      int flags = MemoryCalls.MAP_SHARED | (populate ? MemoryCalls.MAP_POPULATE : 0);
      int prot = MemoryCalls.PROT_READ | MemoryCalls.PROT_WRITE;
      long address = MemoryCalls.mmap(0, size, prot, flags, fd, 0);
      return new MemfdArena(fd, size, address, huge);
    } catch (ErrnoException | RuntimeException e) {
      FileCalls.closeQuietly(fd);
      throw e;
    }
  }

  /**
   * The file descriptor, open until {@link #close()}; callers pass it to clients but never close
   * it.
   *
   * @return the fd
   */
  public int fd() {
    return fd;
  }

  /**
   * The file and mapping length.
   *
   * @return bytes, a multiple of the page size
   */
  public long size() {
    return size;
  }

  /**
   * The mapping's start address in this process (page aligned).
   *
   * @return the address
   */
  public long address() {
    return address;
  }

  /**
   * Whether the arena got huge pages.
   *
   * @return true when backed by 2 MiB pages
   */
  public boolean hugePages() {
    return hugePages;
  }

  /**
   * The whole mapping, writable, valid until {@link #close()}.
   *
   * @return the segment of {@link #size()} bytes at {@link #address()}
   */
  public MemorySegment segment() {
    return segment;
  }

  /**
   * Puts zeroed pages into the file for a byte range ({@code pwrite} of zeros), so that later
   * faults on it, in this process or any other that maps the file, find a page already present
   * instead of allocating and clearing one: a first write into prefilled memory costs about half as
   * much. This process's page tables are not touched. <b>Destructive</b>: the range reads as zeros
   * afterwards, so it is only for memory nobody has been handed. Not for huge page arenas
   * (hugetlbfs has no {@code write}); there it does nothing.
   *
   * @param offset the first byte
   * @param length bytes from there; clipped to the arena
   * @throws CellarException when the kernel refuses (e.g. ENOMEM, ENOSPC)
   */
  public void zeroFill(long offset, long length) {
    if (hugePages || closed.get()) {
      return;
    }
    long end = Math.min(size, offset + length);
    try {
      for (long at = Math.max(0, offset); at < end; ) {
        long n = Math.min(ZEROS.byteSize(), end - at);
        FileCalls.pwriteFully(fd, ZEROS.asSlice(0, n), at);
        at += n;
      }
    } catch (ErrnoException e) {
      throw failure(e);
    }
  }

  /**
   * How many pages of a byte range are in the file's memory ({@code mincore}): pages any process
   * wrote, faulted or {@linkplain #zeroFill filled}, whether or not this mapping touched them.
   *
   * @param offset the first byte (rounded down to a page)
   * @param length bytes from there; clipped to the arena
   * @return resident pages
   * @throws CellarException when the kernel refuses
   */
  public long residentPages(long offset, long length) {
    long page = hugePages ? HUGE_PAGE_SIZE : MemoryCalls.pageSize();
    long start = Math.max(0, offset) & -page;
    long end = Math.min(size, offset + length);
    try {
      return end <= start ? 0 : MemoryCalls.residentPages(address + start, end - start);
    } catch (ErrnoException e) {
      throw failure(e);
    }
  }

  /**
   * Gives a byte range's pages back to the system ({@code madvise(MADV_REMOVE)}); the range reads
   * as zeros afterwards and faults again on next use. Only whole pages inside the range are freed.
   *
   * @param offset the first byte
   * @param length bytes from there
   * @throws CellarException when the kernel refuses
   */
  public void discard(long offset, long length) {
    long page = hugePages ? HUGE_PAGE_SIZE : MemoryCalls.pageSize();
    long start = roundUp(Math.max(0, offset), page);
    long end = Math.min(size, offset + length) & -page;
    if (end <= start) {
      return;
    }
    int errno = MemoryCalls.madvise(address + start, end - start, MemoryCalls.MADV_REMOVE);
    if (errno != 0) {
      throw failure(
          new ErrnoException("madvise(MADV_REMOVE, " + start + "+" + (end - start) + ")", errno));
    }
  }

  /** Unmaps the arena and closes its fd. Idempotent. Segments of this arena become inaccessible. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    scope.close();
    try {
      MemoryCalls.munmap(address, size);
    } catch (ErrnoException e) {
      LOG.warn("arena {} stays mapped until the process ends: {}", fd, e.getMessage());
    } finally {
      FileCalls.closeQuietly(fd);
    }
  }

  @SuppressWarnings("restricted")
  private static MemorySegment reinterpret(long address, long size, Arena scope) {
    return MemorySegment.ofAddress(address).reinterpret(size, scope, null);
  }

  static long roundUp(long value, long alignment) {
    return (value + alignment - 1) & -alignment;
  }

  @Override
  public String toString() {
    return "MemfdArena[fd=" + fd + ", size=" + size + (hugePages ? ", huge pages]" : "]");
  }
}
