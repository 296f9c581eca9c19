package io.cellar.protocol;

/**
 * Where a blob's bytes live, as the protocol's Payload JSON describes it (reference §3.2; the codec
 * is {@link PayloadJson}): the arena key {@code storeFd}, the blob's offset and size inside that
 * arena, the length a client maps, and the blob's address in the server process.
 *
 * <p>A client maps {@code mapSize - 8} bytes of the arena from offset 0 and finds the blob at
 * {@code dataOffset}; Cellar keeps every blob 64-byte aligned and clear of an arena's last 8 bytes.
 *
 * @param objectId the blob id (bit 63 set)
 * @param storeFd a stable positive key of the backing arena, or -1 for no memory (empty blob,
 *     spilled)
 * @param dataOffset the blob's offset inside the arena, a multiple of 64
 * @param dataSize the blob's length in bytes
 * @param mapSize the arena's file length
 * @param pointer the blob's address in the server process (informational for clients)
 * @param sealed whether the blob is sealed
 * @param owner the reference's {@code is_owner}, true for blobs of this store
 */
public record Payload(
    long objectId,
    int storeFd,
    long dataOffset,
    long dataSize,
    long mapSize,
    long pointer,
    boolean sealed,
    boolean owner) {

  /**
   * The payload of the empty blob: no memory, all sizes 0, and {@code is_sealed} false, as the
   * reference reports it in {@code create_buffer_reply} and {@code get_buffers_reply} (its empty
   * blob is never sealed in the bulk store; clients read it all the same).
   */
  public static final Payload EMPTY =
      new Payload(ObjectIds.EMPTY_BLOB, -1, 0, 0, 0, 0, false, true);
}
