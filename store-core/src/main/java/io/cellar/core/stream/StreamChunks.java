package io.cellar.core.stream;

import io.cellar.protocol.Payload;

/**
 * What the {@link StreamTable} needs of the store the chunks live in. {@link io.cellar.core.Store}
 * implements it over its blob layer and metadata tree.
 *
 * <p>Implementations are thread-safe; the table calls them while holding its own lock, so they must
 * never call back into the table.
 */
public interface StreamChunks {
  /**
   * Allocates an unsealed blob for a writer to fill.
   *
   * @param owner the writer's owner (the blob is reclaimed with it if never sealed)
   * @param size the length in bytes
   * @return where it lives
   * @throws io.cellar.protocol.CellarException NotEnoughMemory (41)
   */
  Payload allocate(long owner, long size);

  /**
   * Seals a blob the writer has filled, leaving no owner holding a reference to it.
   *
   * @param owner the writer's owner it was allocated for
   * @param blobId the blob
   */
  void seal(long owner, long blobId);

  /**
   * Deletes a chunk (a blob, or an object with its members) that the stream no longer needs; the
   * owner's own references to the deleted blobs go with it. Missing chunks are ignored.
   *
   * @param owner the owner whose references are dropped, or {@code BlobStore.NO_OWNER}
   * @param chunkId the chunk
   */
  void discard(long owner, long chunkId);

  /**
   * Bytes of blob memory in use now.
   *
   * @return the usage
   */
  long memoryUsage();

  /**
   * The limit on {@link #memoryUsage()}.
   *
   * @return the limit in bytes
   */
  long memoryLimit();
}
