package io.cellar.client;

import java.lang.foreign.MemorySegment;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A blob being written. Fill {@link #segment()} (or {@link #buffer()}), then {@link #seal()} it;
 * after sealing the bytes are immutable and readable by every client.
 *
 * <p>With {@link IpcClient} the segment is the blob's own shared memory in the server's arena: the
 * bytes written are the only copy. With {@link RpcClient} it is local memory sent to the server by
 * {@link #seal()}.
 *
 * <p>Not thread-safe: one writer thread; the segment may be filled by several threads if the caller
 * orders their writes before {@link #seal()}. Closing an unsealed writer abandons the blob (the
 * server frees it).
 */
public interface BlobWriter extends AutoCloseable {
  /**
   * The blob's size in bytes.
   *
   * @return the size requested at creation
   */
  default long size() {
    return segment().byteSize();
  }

  /**
   * The writable bytes; valid until {@link #seal()} or {@link #close()} for RPC, and until the
   * client closes for IPC (write only before sealing).
   *
   * @return the segment of {@link #size()} bytes
   */
  MemorySegment segment();

  /**
   * The writable bytes as an Agrona buffer over the same memory.
   *
   * @return a new buffer wrapping {@link #segment()}
   * @throws IllegalStateException when the blob is larger than 2 GiB - 1
   */
  default MutableDirectBuffer buffer() {
    MemorySegment bytes = segment();
    if (bytes.byteSize() > Integer.MAX_VALUE) {
      throw new IllegalStateException(
          "a blob of " + bytes.byteSize() + " bytes does not fit an Agrona buffer; use segment()");
    }
    return new UnsafeBuffer(bytes.address(), (int) bytes.byteSize());
  }

  /**
   * Seals the blob: from now on it is immutable and visible.
   *
   * @return the sealed blob as a read-only view
   * @throws java.io.IOException when the connection fails
   * @throws io.cellar.protocol.CellarException when the server refuses
   */
  Blob seal() throws java.io.IOException;

  /** Abandons the blob if it was not sealed; does nothing after {@link #seal()}. */
  @Override
  void close();
}
