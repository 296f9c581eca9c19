package io.cellar.core.blob;

/**
 * Where a blob's bytes are, and so what memory it holds. The lifecycle is
 *
 * <pre>
 *   UNSEALED --seal--> SEALED --spill--> SPILLING --> SPILLED --load--> LOADING --> SEALED
 *                                           \--(wanted again)--> SEALED
 *   any state --(deleted and no longer held)--> FREED
 * </pre>
 *
 * <p>Deletion is a flag beside the state ({@code BlobEntry.deleted}): a deleted blob keeps its
 * state, and its memory, until nothing holds it. {@link #SPILLING} and {@link #LOADING} are
 * transfers in flight; the thread doing the file I/O ends them, outside the store's lock, and
 * nothing else frees a blob's memory or touches its spill file meanwhile.
 */
enum BlobState {
  /** Created, being written by its creator: holds an arena block, writable. */
  UNSEALED,
  /** Sealed and in memory: holds an arena block, read-only. */
  SEALED,
  /**
   * Sealed; its bytes are being written to its spill file: holds the block (still readable, since
   * the bytes never change) and the file being written.
   */
  SPILLING,
  /** Sealed and on disk: holds its spill file and no arena memory. */
  SPILLED,
  /**
   * Sealed; being read back from its spill file: holds the file and, once placed, a new block that
   * nobody may read until the load ends.
   */
  LOADING,
  /** Deleted and released: holds nothing, and is in no table. */
  FREED;

  /**
   * Whether the bytes are in the arena and readable now.
   *
   * @return true for {@link #UNSEALED}, {@link #SEALED} and {@link #SPILLING}
   */
  boolean readable() {
    return this == UNSEALED || this == SEALED || this == SPILLING;
  }

  /**
   * Whether the bytes are in a spill file and not (yet) readable in memory.
   *
   * @return true for {@link #SPILLED} and {@link #LOADING}
   */
  boolean onDisk() {
    return this == SPILLED || this == LOADING;
  }

  /**
   * Whether a transfer to or from disk is in flight.
   *
   * @return true for {@link #SPILLING} and {@link #LOADING}
   */
  boolean inTransfer() {
    return this == SPILLING || this == LOADING;
  }
}
