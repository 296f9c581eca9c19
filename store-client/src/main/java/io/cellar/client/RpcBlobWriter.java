package io.cellar.client;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

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
  public MemorySegment segment() {
    return bytes;
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
