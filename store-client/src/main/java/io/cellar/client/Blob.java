package io.cellar.client;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.UnsignedJson;
import java.lang.foreign.MemorySegment;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A sealed blob as a read-only view of its bytes.
 *
 * <p>From an {@link IpcClient} the view lies inside the client's shared mapping of the server's
 * arena: no byte was copied, and the memory stays readable until the client closes (after that
 * every access through {@link #segment()} fails; a {@link #buffer()} must not be used any more).
 * From an {@link RpcClient} the bytes were received into memory of this process, freed by the
 * garbage collector once the blob is unreachable.
 *
 * <p>Immutable and thread-safe; the bytes are immutable because the blob is sealed.
 */
public final class Blob {
  private final long id;
  private final long instanceId;
  private final MemorySegment bytes;
  private final boolean remote;

  /**
   * A blob view.
   *
   * @param id the blob id (bit 63 set)
   * @param instanceId the instance that holds the blob
   * @param bytes the bytes, read-only
   * @param remote whether the blob was made or read over RPC (its metadata then says {@code length:
   *     0}, as the reference RPC client writes it)
   */
  public Blob(long id, long instanceId, MemorySegment bytes, boolean remote) {
    this.id = id;
    this.instanceId = instanceId;
    this.bytes = bytes.isReadOnly() ? bytes : bytes.asReadOnly();
    this.remote = remote;
  }

  /**
   * The blob id.
   *
   * @return an id with bit 63 set; {@link ObjectIds#EMPTY_BLOB} for the empty blob
   */
  public long id() {
    return id;
  }

  /**
   * The blob's length in bytes.
   *
   * @return the size
   */
  public long size() {
    return bytes.byteSize();
  }

  /**
   * The bytes as a read-only segment; for IPC, a slice of the client's mapping of the arena.
   *
   * @return the view (zero-length for the empty blob)
   */
  public MemorySegment segment() {
    return bytes;
  }

  /**
   * The bytes as an Agrona buffer over the same memory (no copy). Agrona's buffers use {@code
   * jdk.internal.misc.Unsafe}: run with {@code --add-exports
   * java.base/jdk.internal.misc=ALL-UNNAMED}.
   *
   * @return a new read-only-typed buffer wrapping the view; valid as long as {@link #segment()} is
   * @throws IllegalStateException when the blob is larger than 2 GiB - 1 (use {@link #segment()})
   */
  public DirectBuffer buffer() {
    if (bytes.byteSize() > Integer.MAX_VALUE) {
      throw new IllegalStateException(
          "a blob of " + bytes.byteSize() + " bytes does not fit an Agrona buffer; use segment()");
    }
    if (bytes.byteSize() == 0) {
      return new UnsafeBuffer(new byte[0]);
    }
    return bytes.isNative()
        ? new UnsafeBuffer(bytes.address(), (int) bytes.byteSize())
        : new UnsafeBuffer(bytes.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
  }

  /**
   * The blob's metadata as the reference clients nest it into a parent object: {@code {id,
   * typename: "vineyard::Blob", length, nbytes, instance_id, transient: true}}, plus the {@code
   * signature} of the empty blob as Python writes it.
   *
   * @return a new JSON object
   */
  public ObjectNode metadata() {
    return metadata(id, size(), instanceId, remote);
  }

  /**
   * Blob metadata in the reference clients' shape.
   *
   * @param id the blob id
   * @param size its size
   * @param instanceId the instance holding it
   * @param remote true for a blob made over RPC ({@code length} is then 0)
   * @return a new JSON object
   */
  public static ObjectNode metadata(long id, long size, long instanceId, boolean remote) {
    ObjectNode meta = JsonNodeFactory.instance.objectNode();
    meta.put("id", ObjectIds.toText(id));
    UnsignedJson.put(meta, "instance_id", instanceId);
    meta.put("length", remote ? 0 : size);
    meta.put("nbytes", size);
    if (id == ObjectIds.EMPTY_BLOB) {
      UnsignedJson.put(meta, "signature", ObjectIds.EMPTY_BLOB);
    }
    meta.put("transient", true);
    meta.put("typename", "vineyard::Blob");
    return meta;
  }

  @Override
  public String toString() {
    return "Blob[" + ObjectIds.toText(id) + ", " + size() + " bytes]";
  }
}
