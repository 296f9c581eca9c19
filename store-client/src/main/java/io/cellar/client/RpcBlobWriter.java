package io.cellar.client;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A blob being written for an {@link RpcClient}: local memory, sent to the server (which creates
 * and seals the blob) by {@link #seal()}. Not thread-safe (see {@link BlobWriter}).
 */
final class RpcBlobWriter implements BlobWriter {
  private final RpcClient client;
  private final MemorySegment bytes;
  private Blob sealed;

  RpcBlobWriter(RpcClient client, MemorySegment bytes) {
    this.client = client;
    this.bytes = bytes;
  }

  @Override
  public long size() {
    return bytes.byteSize();
  }

  @Override
  public MemorySegment segment() {
    return bytes;
  }

  @Override
  public MutableDirectBuffer buffer() {
    if (bytes.byteSize() > Integer.MAX_VALUE) {
      throw new IllegalStateException(
          "a blob of " + bytes.byteSize() + " bytes does not fit an Agrona buffer; use segment()");
    }
    return new UnsafeBuffer(bytes.address(), (int) bytes.byteSize());
  }

  @Override
  public Blob seal() throws IOException {
    if (sealed == null) {
      sealed = client.createRemote(bytes);
    }
    return sealed;
  }

  @Override
  public void close() {}
}
