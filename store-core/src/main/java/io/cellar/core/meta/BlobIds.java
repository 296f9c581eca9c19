package io.cellar.core.meta;

import io.cellar.protocol.ObjectIds;
import java.util.stream.LongStream;

/**
 * Which ids name blobs whose memory a deletion may free: blob ids (bit 63) other than the empty
 * blob, which has no memory, and the invalid id. Stateless and thread-safe.
 */
public final class BlobIds {
  private BlobIds() {}

  /**
   * Whether an id is a blob a deletion may free.
   *
   * @param id any id
   * @return true for a blob id other than the empty blob and 2^64-1
   */
  public static boolean isFreeable(long id) {
    return ObjectIds.isBlob(id) && id != ObjectIds.EMPTY_BLOB && id != ObjectIds.INVALID;
  }

  /**
   * The freeable blob ids among some ids ({@code del_data} with {@code fastpath}: blob ids only,
   * the tree untouched).
   *
   * @param ids any ids
   * @return the freeable blob ids, in the given order
   */
  public static long[] freeableOf(long[] ids) {
    return LongStream.of(ids).filter(BlobIds::isFreeable).toArray();
  }
}
