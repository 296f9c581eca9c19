package io.cellar.core.memory;

import io.cellar.posix.Errno;
import io.cellar.posix.ErrnoException;
import io.cellar.posix.FileCalls;
import io.cellar.posix.MemoryCalls;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shared memory file, sized with {@code ftruncate} and mapped whole, {@code MAP_SHARED}, read
 * and write, as one {@link MemorySegment} (any size, including more than 2 GiB). The file is a
 * {@code memfd_create} file or an unnamed file on a huge tmpfs, as the {@link BackingPlan} decides
 * ({@link #backing()}); other processes that receive {@link #fd()} and map it see the same bytes
 * and no difference between the kinds.
 *
 * <p>Options: populate the whole file at {@code mmap} time ({@code MAP_POPULATE}, as vineyardd's
 * {@code --reserve_memory}). With 2 MiB pages ({@link ArenaBacking#hugePages()}) the size is
 * rounded up to 2 MiB and the mapping is 2 MiB aligned. When a planned backing fails, the arena
 * falls back to the next one and logs one line; the backing chosen is logged once.
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
  /** The huge page size: 2 MiB. */
  public static final long HUGE_PAGE_SIZE = 2L << 20;

  private static final Logger LOG = LoggerFactory.getLogger(MemfdArena.class);

  /** 1 MiB of zeros, never written: the source of {@link #zeroFill}. */
  private static final MemorySegment ZEROS = Arena.global().allocate(1L << 20, 4096);

  private static final AtomicLong TMPFILE_NAMES = new AtomicLong();

  private final int fd;
  private final long size;
  private final long address;
  private final ArenaBacking backing;
  private final Arena scope;
  private final MemorySegment segment;
  private final AtomicBoolean closed = new AtomicBoolean();

  private MemfdArena(int fd, long size, long address, ArenaBacking backing) {
    this.fd = fd;
    this.size = size;
    this.address = address;
    this.backing = backing;
    this.scope = Arena.ofShared();
    this.segment = reinterpret(address, size, scope);
  }

  /**
   * Creates and maps an arena of plain memfd memory, or hugetlb memory first with {@code hugePages}
   * ({@link BackingPlan#hugetlbOrMemfd}).
   *
   * @param name the memfd's name (shown as {@code /memfd:<name>} in {@code /proc})
   * @param size the file length in bytes, at least 1; rounded up to the page size (to 2 MiB with
   *     huge pages)
   * @param populate fault every page in now ({@code MAP_POPULATE}); costs time proportional to size
   * @param hugePages try hugetlb 2 MiB pages first, falling back to normal pages with one log line
   * @return the mapped arena, owned by the caller
   * @throws CellarException when the memfd cannot be created, sized or mapped with normal pages
   */
  public static MemfdArena create(String name, long size, boolean populate, boolean hugePages) {
    return create(name, size, populate, BackingPlan.hugetlbOrMemfd(hugePages));
  }

  /**
   * Creates and maps an arena with the first backing of the plan that works.
   *
   * @param name the file's name (shown as {@code /memfd:<name>} in {@code /proc} for a memfd)
   * @param size the file length in bytes, at least 1; rounded up to the page size (to 2 MiB with
   *     huge pages)
   * @param populate fault every page in now ({@code MAP_POPULATE}); costs time proportional to size
   * @param plan the backings to try, in order
   * @return the mapped arena, owned by the caller
   * @throws CellarException when even the plan's last backing cannot be made
   */
  public static MemfdArena create(String name, long size, boolean populate, BackingPlan plan) {
    if (size <= 0) {
      throw new IllegalArgumentException("arena size must be positive: " + size);
    }
    List<ArenaBacking> order = plan.order();
    for (int i = 0; i < order.size(); i++) {
      ArenaBacking b = order.get(i);
      long length = roundUp(size, b.hugePages() ? HUGE_PAGE_SIZE : MemoryCalls.pageSize());
      try {
        return map(name, length, populate, b, plan.facts());
      } catch (ErrnoException e) {
        if (i == order.size() - 1) {
          throw failure(e);
        }
        LOG.info(
            "shared memory: {} unavailable for arena {} of {} bytes ({}); trying {}",
            b.label(),
            name,
            length,
            e.getMessage(),
            order.get(i + 1).label());
      }
    }
    throw new IllegalArgumentException("empty backing plan");
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
      String name, long size, boolean populate, ArenaBacking backing, HostMemoryFacts facts)
      throws ErrnoException {
    int fd =
        switch (backing) {
          case HUGETLB ->
              FileCalls.memfdCreate(
                  name, FileCalls.MFD_CLOEXEC | FileCalls.MFD_HUGETLB | FileCalls.MFD_HUGE_2MB);
          case MEMFD, MEMFD_THP -> FileCalls.memfdCreate(name, FileCalls.MFD_CLOEXEC);
          case HUGE_TMPFS -> unnamedFile(facts.shmDir(), name);
        };
    try {
      FileCalls.ftruncate(fd, size);
      int flags = MemoryCalls.MAP_SHARED | (populate ? MemoryCalls.MAP_POPULATE : 0);
      int prot = MemoryCalls.PROT_READ | MemoryCalls.PROT_WRITE;
      long address =
          backing.hugePages()
              ? MemoryCalls.mmapAligned(size, prot, flags, fd, 0, HUGE_PAGE_SIZE)
              : MemoryCalls.mmap(0, size, prot, flags, fd, 0);
      if (backing == ArenaBacking.MEMFD_THP) {
        int errno = MemoryCalls.madvise(address, size, MemoryCalls.MADV_HUGEPAGE);
        if (errno != 0) {
          MemoryCalls.munmap(address, size);
          throw new ErrnoException("madvise(MADV_HUGEPAGE, " + size + ")", errno);
        }
      }
      return new MemfdArena(fd, size, address, backing);
    } catch (ErrnoException | RuntimeException e) {
      FileCalls.closeQuietly(fd);
      throw e;
    }
  }

  /**
   * An unnamed file in a directory: {@code O_TMPFILE}, or where the file system refuses that, a
   * file created under a fresh name and unlinked at once. Either way nothing stays in the
   * directory; the file lives while an fd or a mapping of it does.
   */
  private static int unnamedFile(Path dir, String name) throws ErrnoException {
    try {
      return FileCalls.open(
          dir.toString(), FileCalls.O_TMPFILE | FileCalls.O_RDWR | FileCalls.O_CLOEXEC, 0600);
    } catch (ErrnoException e) {
      if (e.errno() != Errno.EOPNOTSUPP && e.errno() != Errno.EISDIR) {
        throw e;
      }
    }
    String path =
        dir.resolve(
                "."
                    + name
                    + "-"
                    + ProcessHandle.current().pid()
                    + "-"
                    + TMPFILE_NAMES.incrementAndGet())
            .toString();
    int fd =
        FileCalls.open(
            path,
            FileCalls.O_RDWR | FileCalls.O_CREAT | FileCalls.O_EXCL | FileCalls.O_CLOEXEC,
            0600);
    try {
      FileCalls.unlink(path);
    } catch (ErrnoException e) {
      FileCalls.closeQuietly(fd);
      throw e;
    }
    return fd;
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
   * What holds the arena's pages.
   *
   * @return the backing that was made
   */
  public ArenaBacking backing() {
    return backing;
  }

  /**
   * Whether the arena is on the hugetlb pool (no {@code pwrite}, pages reserved at {@code mmap}).
   *
   * @return true for {@link ArenaBacking#HUGETLB}
   */
  public boolean hugePages() {
    return backing == ArenaBacking.HUGETLB;
  }

  /**
   * The granule of the arena's pages: what {@link #discard} frees whole.
   *
   * @return 2 MiB with huge pages, else the system page size
   */
  public long pageGranule() {
    return backing.hugePages() ? HUGE_PAGE_SIZE : MemoryCalls.pageSize();
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
   * afterwards, so it is only for memory nobody has been handed. Not for hugetlb arenas (hugetlbfs
   * has no {@code write}); there it does nothing. On a {@link ArenaBacking#MEMFD_THP} arena the
   * pages are faulted in through this process's advised mapping instead ({@code
   * MADV_POPULATE_WRITE}), which is what makes them huge.
   *
   * @param offset the first byte
   * @param length bytes from there; clipped to the arena
   * @throws CellarException when the kernel refuses (e.g. ENOMEM, ENOSPC)
   */
  public void zeroFill(long offset, long length) {
    if (!backing.writable() || closed.get()) {
      return;
    }
    long end = Math.min(size, offset + length);
    if (backing == ArenaBacking.MEMFD_THP) {
      long page = MemoryCalls.pageSize();
      long from = Math.max(0, offset) & -page;
      long to = roundUp(end, page);
      if (to > from
          && MemoryCalls.madvise(address + from, to - from, MemoryCalls.MADV_POPULATE_WRITE) == 0) {
        return;
      }
    }
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
    long page = hugePages() ? HUGE_PAGE_SIZE : MemoryCalls.pageSize();
    long start = Math.max(0, offset) & -page;
    long end = Math.min(size, offset + length);
    try {
      return end <= start ? 0 : MemoryCalls.residentPages(address + start, end - start);
    } catch (ErrnoException e) {
      throw failure(e);
    }
  }

  /**
   * Gives a byte range's pages back to the system: {@code fallocate(PUNCH_HOLE|KEEP_SIZE)} on the
   * file, or {@code madvise(MADV_REMOVE)} where the file system has no holes. The range reads as
   * zeros afterwards, in every process that maps it, and faults again on next use. Only whole
   * {@linkplain #pageGranule() pages} inside the range are freed (2 MiB with huge pages, so no huge
   * page is split).
   *
   * @param offset the first byte
   * @param length bytes from there
   * @return the bytes given back (whole pages inside the range)
   * @throws CellarException when the kernel refuses
   */
  public long discard(long offset, long length) {
    long page = pageGranule();
    long start = roundUp(Math.max(0, offset), page);
    long end = Math.min(size, offset + length) & -page;
    if (end <= start || closed.get()) {
      return 0;
    }
    int errno =
        FileCalls.fallocate(
            fd, FileCalls.FALLOC_FL_PUNCH_HOLE | FileCalls.FALLOC_FL_KEEP_SIZE, start, end - start);
    if (errno == Errno.EOPNOTSUPP) {
      errno = MemoryCalls.madvise(address + start, end - start, MemoryCalls.MADV_REMOVE);
    }
    if (errno != 0) {
      throw failure(
          new ErrnoException("fallocate(PUNCH_HOLE, " + start + "+" + (end - start) + ")", errno));
    }
    return end - start;
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
    return "MemfdArena[fd=" + fd + ", size=" + size + ", " + backing.label() + "]";
  }
}
