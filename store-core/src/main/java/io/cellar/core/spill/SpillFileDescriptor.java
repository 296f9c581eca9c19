package io.cellar.core.spill;

import java.nio.ByteOrder;

/**
 * The layout of one spill file, {@code <spill_path>/<unsigned decimal blob id>}, as vineyardd
 * writes it ({@code spill_file.cc}): a 16-byte header, then the blob's bytes.
 *
 * <pre>
 *   0                   8                   16                        16 + size
 *   +-------------------+-------------------+--------------------------+
 *   | blob id (uint64)  | data size (uint64)| data (size bytes)        |
 *   +-------------------+-------------------+--------------------------+
 * </pre>
 *
 * <p>Integers are in the platform's native byte order (little-endian on the machines vineyardd runs
 * on), as vineyardd writes them with a raw {@code write} of the {@code uint64_t}.
 */
public final class SpillFileDescriptor {
  /** Offset of the blob id. */
  public static final int ID_OFFSET = 0;

  /** Offset of the data size. */
  public static final int SIZE_OFFSET = 8;

  /** Offset of the first data byte; also the header length. */
  public static final int DATA_OFFSET = 16;

  /** Header length in bytes. */
  public static final int HEADER_LENGTH = DATA_OFFSET;

  /** Byte order of the header fields. */
  public static final ByteOrder BYTE_ORDER = ByteOrder.nativeOrder();

  private SpillFileDescriptor() {}

  /**
   * The file name of a blob's spill file.
   *
   * @param blobId the blob id
   * @return the unsigned decimal id, e.g. {@code "9223372036854775809"}
   */
  public static String fileName(long blobId) {
    return Long.toUnsignedString(blobId);
  }

  /**
   * The length of a spill file holding {@code size} data bytes.
   *
   * @param size the data length
   * @return {@code HEADER_LENGTH + size}
   */
  public static long fileLength(long size) {
    return HEADER_LENGTH + size;
  }
}
