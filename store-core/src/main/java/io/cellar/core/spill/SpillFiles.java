package io.cellar.core.spill;

import java.lang.foreign.MemorySegment;

/**
 * Where spilled blobs' bytes go, one file per blob id: what a blob store needs of a {@link
 * SpillDirectory} (tests put a wrapper around one to gate or slow its I/O).
 *
 * <p><b>Threading.</b> Implementations are thread-safe for different blob ids; calls for one id
 * never overlap (the blob store's transfers serialise them). Calls do blocking file I/O.
 */
public interface SpillFiles extends AutoCloseable {
  /**
   * Writes a blob's bytes to its file, replacing any earlier one; a partial file is removed on
   * failure.
   *
   * @param blobId the blob
   * @param data its bytes; only read
   * @throws io.cellar.protocol.CellarException {@code IO_ERROR} when the file cannot be written
   */
  void write(long blobId, MemorySegment data);

  /**
   * Reads a blob's bytes back from its file.
   *
   * @param blobId the blob
   * @param dest where the bytes go; its length must equal the spilled size
   * @throws io.cellar.protocol.CellarException {@code IO_ERROR} when the file is missing or wrong
   */
  void read(long blobId, MemorySegment dest);

  /**
   * Removes a blob's file if there is one.
   *
   * @param blobId the blob
   */
  void delete(long blobId);

  /** Removes every file written and not yet deleted. */
  @Override
  void close();
}
