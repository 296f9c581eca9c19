package io.cellar.core.meta;

/**
 * What a deletion removed from the metadata tree and what the caller must now free.
 *
 * @param objectIds the object ids removed from the tree, in ascending order
 * @param blobIds the blob ids that must be freed, in ascending unsigned order; never the empty
 *     blob; may name blobs the blob table no longer holds (skip those)
 */
public record DeleteResult(long[] objectIds, long[] blobIds) {
  /** Nothing deleted. */
  public static final DeleteResult NONE = new DeleteResult(new long[0], new long[0]);
}
