package io.cellar.client;

import io.cellar.protocol.ObjectIds;
import java.lang.foreign.MemorySegment;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The writer of a 0-byte blob: the empty blob {@code o8000000000000000}, made locally with no
 * server call, as the Python client does. Immutable and thread-safe.
 */
final class SealedEmptyBlobWriter implements BlobWriter {
  private final Blob empty;

  SealedEmptyBlobWriter(long instanceId) {
    this.empty =
        new Blob(ObjectIds.EMPTY_BLOB, instanceId, MemorySegment.ofArray(new byte[0]), false);
  }

  @Override
  public long size() {
    return 0;
  }

  @Override
  public MemorySegment segment() {
    return MemorySegment.ofArray(new byte[0]);
  }

  @Override
  public MutableDirectBuffer buffer() {
    return new UnsafeBuffer(new byte[0]);
  }

  @Override
  public Blob seal() {
    return empty;
  }

  @Override
  public void close() {}
}
