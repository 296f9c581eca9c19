package io.cellar.core.blob;

/**
 * One blob's bookkeeping inside a {@link BlobStore}. Mutable; every field is guarded by the owning
 * store's lock. Its {@link #state} changes only through {@link BlobTable#transition}, which keeps
 * the table's counts.
 */
final class BlobEntry {
  final long id;
  final long creator;
  long size;

  /** The arena block's offset, or -1 when the blob holds no block. */
  long offset;

  BlobState state = BlobState.UNSEALED;

  /** Unsealed and its creator has not gone away: the creator holds the memory. */
  boolean creatorHolds = true;

  /**
   * The creator's reference is the one its seal took, not one it took to read the blob since: a
   * delete gives it up whoever deletes, as the reference frees a sealed blob its writer is still
   * connected to.
   */
  boolean sealHold;

  boolean pinned;
  boolean deleted;

  /**
   * Spilled to make room, and not referenced since: the reference drops such a blob from its cold
   * list (an evicted one stays there), so its {@code is_in_use} answers true although nobody
   * references it.
   */
  boolean spilledToMakeRoom;

  /** How many owners hold a reference (each at most one). */
  int refCount;

  BlobEntry(long id, long creator, long size, long offset) {
    this.id = id;
    this.creator = creator;
    this.size = size;
    this.offset = offset;
  }

  /** Sealed, in memory and settled, unreferenced, unpinned, not deleted: a spill candidate. */
  boolean isCold() {
    return state == BlobState.SEALED && refCount == 0 && !pinned && !deleted;
  }

  /** Whether anything still needs this blob's memory or file. */
  boolean isHeld() {
    return refCount > 0 || (state == BlobState.UNSEALED && creatorHolds) || state.inTransfer();
  }
}
