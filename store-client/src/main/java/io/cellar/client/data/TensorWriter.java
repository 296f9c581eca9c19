package io.cellar.client.data;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.client.Blob;
import io.cellar.client.BlobWriter;
import io.cellar.client.VineyardClient;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A tensor being written in place: {@link #segment()} is the new blob itself (shared memory on
 * IPC), so filling it is the only copy; {@link #seal()} seals the blob and creates the tensor's
 * metadata in the Python layout.
 *
 * <p>Not thread-safe: one writer. Closing without sealing abandons the blob.
 */
public final class TensorWriter implements AutoCloseable {
  private final VineyardClient client;
  private final TensorType type;
  private final long[] shape;
  private final char order;
  private final BlobWriter blob;
  private Tensor sealed;

  TensorWriter(VineyardClient client, TensorType type, long[] shape, char order, BlobWriter blob) {
    this.client = client;
    this.type = type;
    this.shape = shape.clone();
    this.order = order;
    this.blob = blob;
  }

  /**
   * The elements to fill: little-endian, C (row-major) order, {@code product(shape) * elementSize}
   * bytes.
   *
   * @return the blob's writable bytes
   */
  public MemorySegment segment() {
    return blob.segment();
  }

  /**
   * Seals the blob and creates the tensor's metadata.
   *
   * @return the stored tensor, a read-only view of the blob
   * @throws IOException when the connection fails
   */
  public Tensor seal() throws IOException {
    if (sealed == null) {
      Blob bytes = blob.seal();
      Tensor value = new Tensor(type, shape, order, bytes.segment(), null);
      ObjectNode meta = PythonLayouts.tensor(value, bytes.metadata());
      client.createData(meta);
      sealed = new Tensor(type, shape, order, bytes.segment(), meta);
    }
    return sealed;
  }

  @Override
  public void close() {
    blob.close();
  }
}
