package io.cellar.core.memory;

/**
 * The layout of a store's blob arena: how long its memfd file is for a memory limit, and where
 * blobs may lie in it.
 *
 * <pre>
 *   0        GUARD                                        size - GUARD      size
 *   +--------+---------------------------------------------+----------------+
 *   | guard  | blobs, 64-byte aligned, best fit             | guard          |
 *   | 64 B   | (at most `limit` bytes in use at once)       | 64 B           |
 *   +--------+---------------------------------------------+----------------+
 *                                   clients map [0, size - 8) ^^^^^^^^
 * </pre>
 *
 * <p><b>Length.</b> The file asks for {@code limit + limit / 8 + 16 KiB + 2 × GUARD} bytes: an
 * eighth of slack (and 16 KiB for tiny limits) so that fragmentation rarely fails a request under
 * the limit, which the allocator enforces on its own. {@link MemfdArena#create} rounds that up to
 * the page size (4 KiB), or to 2 MiB when the arena gets huge pages; the arena's actual {@link
 * MemfdArena#size()} is every payload's {@code map_size}. The slack is virtual memory only: pages
 * are committed when written.
 *
 * <p><b>Guards.</b> No blob starts before {@link #GUARD} or ends after {@code size - GUARD}. The
 * reference's clients map {@code map_size - 8} bytes from offset 0, so the last 8 bytes of the file
 * must never hold a blob byte; the 64-byte tail guard keeps them clear and keeps the range's end
 * 64-byte aligned (the page-rounded size is). The head guard means no blob ever has offset 0.
 *
 * <p>Stateless and thread-safe.
 */
public final class ArenaDescriptor {
  /** Bytes kept free at each end of the file; also the alignment of every blob. */
  public static final long GUARD = 64;

  /** The slack added to every limit, so that tiny limits still have room to fragment. */
  public static final long MIN_SLACK = 16L << 10;

  private ArenaDescriptor() {}

  /**
   * The file length to ask {@link MemfdArena#create} for, before its page rounding.
   *
   * @param limit the store's memory limit in bytes, at least 0
   * @return {@code limit + limit / 8 + MIN_SLACK + 2 * GUARD}
   */
  public static long requestedLength(long limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("negative memory limit: " + limit);
    }
    return limit + limit / 8 + MIN_SLACK + 2 * GUARD;
  }

  /**
   * The first offset a blob may start at.
   *
   * @return {@link #GUARD}
   */
  public static long blobsStart() {
    return GUARD;
  }

  /**
   * The end (exclusive) of the range blobs may occupy in an arena.
   *
   * @param arenaSize the arena's actual file length ({@link MemfdArena#size()})
   * @return {@code arenaSize - GUARD}
   */
  public static long blobsEnd(long arenaSize) {
    return arenaSize - GUARD;
  }
}
