package io.cellar.client;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A blob created over IPC: the segment is the blob's memory in the client's read-write mapping of
 * the server's arena. Not thread-safe (see {@link BlobWriter}).
 */
final class IpcBlobWriter implements BlobWriter {
  private final IpcClient client;
  private final long id;
  private final MemorySegment bytes;
  private Blob sealed;
  private boolean closed;

  IpcBlobWriter(IpcClient client, long id, MemorySegment bytes) {
    this.client = client;
    this.id = id;
    this.bytes = bytes;
  }

  /**
   * The blob id, known before sealing on IPC.
   *
   * @return the id
   */
  long id() {
    return id;
  }

  @Override
  public MemorySegment segment() {
    return bytes;
  }

  /**
   * Whether this writer still has a blob to seal, so that {@link IpcClient} may send its seal
   * request together with others.
   *
   * @param owner the client asking
   * @return true when the blob belongs to {@code owner} and is neither sealed nor abandoned
   */
  boolean awaitsSealBy(IpcClient owner) {
    return client == owner && sealed == null && !closed;
  }

  /**
   * The view the blob will have once sealed; the seal itself is the caller's request.
   *
   * @return the read-only blob view
   */
  Blob view() {
    return new Blob(id, client.instanceId(), bytes, false);
  }

  /**
   * Records that the server sealed the blob (a seal sent by {@link IpcClient}).
   *
   * @param blob the view from {@link #view()}
   */
  void sealedAs(Blob blob) {
    sealed = blob;
  }

  @Override
  public Blob seal() throws IOException {
    if (sealed == null) {
      if (closed) {
        throw new IllegalStateException("the blob was abandoned");
      }
      client.seal(id, bytes.byteSize());
      sealed = new Blob(id, client.instanceId(), bytes, false);
    }
    return sealed;
  }

  @Override
  public void close() {
    if (sealed == null && !closed) {
      closed = true;
      client.abandon(id);
    }
  }
}
