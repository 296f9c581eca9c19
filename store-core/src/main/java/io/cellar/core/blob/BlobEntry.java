package io.cellar.core.blob;

/**
 * One blob's bookkeeping inside a {@link BlobStore}. Mutable; every field is guarded by the owning
 * store's lock.
 */
final class BlobEntry {
  final long id;
  final long creator;
  long size;
  long offset;
  boolean sealed;
  boolean pinned;
  boolean spilled;
  boolean deleted;
  int refCount;

  BlobEntry(long id, long creator, long size, long offset) {
    this.id = id;
    this.creator = creator;
    this.size = size;
    this.offset = offset;
  }

  /** Sealed, unreferenced, unpinned, in memory, not deleted: a spill candidate. */
  boolean isCold() {
    return sealed && refCount == 0 && !pinned && !spilled && !deleted;
  }
}
