package io.cellar.client.memory;

import io.cellar.posix.ErrnoException;
import io.cellar.posix.FileCalls;
import io.cellar.posix.MemoryCalls;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One server arena as this client sees it: the fd received for the server's {@code store_fd} key,
 * and its mapping, made on first use: read-write when the client first creates a blob there,
 * read-only when it first reads (readers then get read-only views of it). A client that creates
 * reads through its read-write mapping, so it maps the arena once; only a client that reads first
 * and creates later gets a second, read-write mapping. Each maps {@code map_size - 8} bytes from
 * offset 0, {@code MAP_SHARED}, as the reference client does when it realigns (reference §3.3).
 *
 * <p>Guarded by the owning {@link ArenaMappings}' caller (the client lock). The segments belong to
 * the client's arena: they stay valid until the client closes, then every view of them fails
 * instead of touching unmapped memory.
 */
public final class ArenaMapping {
  private final int storeFd;
  private final int fd;
  private final long length;
  private MemorySegment readOnly;
  private MemorySegment readWrite;

  ArenaMapping(int storeFd, int fd, long mapSize) throws IOException {
    if (mapSize <= 8) {
      throw new IOException("arena " + storeFd + " has map_size " + mapSize + ", too small to map");
    }
    this.storeFd = storeFd;
    this.fd = fd;
    this.length = mapSize - 8;
  }

  /**
   * The server's key for this arena.
   *
   * @return the {@code store_fd}
   */
  public int storeFd() {
    return storeFd;
  }

  /**
   * The fd this client received for the arena; owned by this mapping.
   *
   * @return the fd
   */
  public int fd() {
    return fd;
  }

  /**
   * The length of each mapping, {@code map_size - 8}.
   *
   * @return the mapped length in bytes
   */
  public long length() {
    return length;
  }

  /**
   * The read-only mapping if it was made.
   *
   * @return the segment, or null if nothing was read from this arena yet
   */
  public MemorySegment readOnlyMapping() {
    return readOnly;
  }

  /**
   * The read-write mapping if it was made.
   *
   * @return the segment, or null if no blob was created in this arena yet
   */
  public MemorySegment readWriteMapping() {
    return readWrite;
  }

  /** The mapping to read through: the read-write one when it exists, else a read-only one. */
  MemorySegment forReading(Arena arena) throws IOException {
    if (readWrite != null) {
      return readWrite;
    }
    if (readOnly == null) {
      readOnly = map(arena, MemoryCalls.PROT_READ);
    }
    return readOnly;
  }

  MemorySegment readWrite(Arena arena) throws IOException {
    if (readWrite == null) {
      readWrite = map(arena, MemoryCalls.PROT_READ | MemoryCalls.PROT_WRITE);
    }
    return readWrite;
  }

  @SuppressWarnings("restricted")
  private MemorySegment map(Arena arena, int protection) throws IOException {
    // 2 MiB aligned, so that an arena in 2 MiB pages (hugetlb, THP, a huge tmpfs) is mapped with
    // one page table entry per 2 MiB; costs nothing for a memfd of 4 KiB pages
    long address =
        MemoryCalls.mmapAligned(length, protection, MemoryCalls.MAP_SHARED, fd, 0, 2L << 20);
    long mapped = length;
    return MemorySegment.ofAddress(address)
        .reinterpret(mapped, arena, segment -> unmap(address, mapped));
  }

  private static void unmap(long address, long length) {
    try {
      MemoryCalls.munmap(address, length);
    } catch (ErrnoException e) {
      // nothing to do about it: the range stays mapped until the process ends
    }
  }

  void closeFd() {
    FileCalls.closeQuietly(fd);
  }
}
