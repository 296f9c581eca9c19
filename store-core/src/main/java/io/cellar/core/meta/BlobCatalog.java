package io.cellar.core.meta;

/**
 * What the metadata tree needs to know about blobs, which it does not store: the owner of the blob
 * table (the {@code Store}) implements it.
 *
 * <p>Implementations must be thread-safe. {@link MetaTree} never calls them while holding its own
 * lock, so an implementation may call into the tree from inside these methods only if it does not
 * hold a lock the tree's callers hold.
 */
public interface BlobCatalog {
  /**
   * The length of a blob.
   *
   * @param id a blob id
   * @return the length in bytes, 0 for the empty blob, or -1 when there is no such blob
   */
  long blobSize(long id);

  /**
   * The ids of all sealed blobs, in any order.
   *
   * @return a new array
   */
  long[] sealedBlobIds();
}
