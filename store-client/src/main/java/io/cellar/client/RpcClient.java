package io.cellar.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.client.transport.ByteStream;
import io.cellar.client.transport.MessageChannel;
import io.cellar.client.transport.TcpStream;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.Payload;
import io.cellar.protocol.PayloadJson;
import io.cellar.protocol.UnsignedJson;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The client over vineyardd's TCP (RPC) port: the same commands as {@link IpcClient}, with blob
 * bytes sent inline (reference §5) and compression off. {@code create_remote_buffer} is answered
 * once before the bytes and once after; {@code get_remote_buffers} is answered once and followed by
 * the bytes of each non-empty blob in payload order.
 *
 * <p>Thread-safe: one request at a time. Blob bytes live in memory of this process that the garbage
 * collector frees once the {@link Blob} or {@link BlobWriter} is unreachable.
 */
public final class RpcClient extends ProtocolClient {
  private final ByteStream stream;
  private final String endpoint;

  private RpcClient(ByteStream stream, String endpoint) throws IOException {
    super(new MessageChannel(stream, MAPPER));
    this.stream = stream;
    this.endpoint = endpoint;
  }

  /**
   * Connects and registers.
   *
   * @param host the server host
   * @param port its RPC port (9600 by default)
   * @return the registered client, owned by the caller
   * @throws IOException when the server cannot be reached or registration fails
   */
  public static RpcClient connect(String host, int port) throws IOException {
    return new RpcClient(TcpStream.connect(host, port), host + ":" + port);
  }

  /**
   * Registers over an already connected stream (for tests and tunnels).
   *
   * @param stream the connected stream; owned by the client from now on
   * @param endpoint the name to show for it
   * @return the registered client
   * @throws IOException when registration fails
   */
  public static RpcClient over(ByteStream stream, String endpoint) throws IOException {
    return new RpcClient(stream, endpoint);
  }

  /**
   * Connects to {@code host:port}.
   *
   * @param endpoint for example {@code "localhost:9600"}
   * @return the registered client
   * @throws IOException when the server cannot be reached or registration fails
   */
  public static RpcClient connect(String endpoint) throws IOException {
    int colon = endpoint.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("expected host:port, got " + endpoint);
    }
    return connect(endpoint.substring(0, colon), Integer.parseInt(endpoint.substring(colon + 1)));
  }

  @Override
  BlobWriter createNonEmptyBlob(long size) {
    return new RpcBlobWriter(this, Arena.ofAuto().allocate(size, 64));
  }

  /** Sends a filled local buffer as a new sealed blob; called by its writer. */
  Blob createRemote(MemorySegment bytes) throws IOException {
    lock.lock();
    try {
      ensureOpen();
      long size = bytes.byteSize();
      channel.call(Requests.createRemoteBuffer(size), "create_buffer_reply");
      stream.writeFully(bytes);
      ObjectNode done = MessageChannel.expect(channel.receive(), "create_buffer_reply");
      long id = UnsignedJson.field(done, "id");
      Payload payload = PayloadJson.read(done.path("created"));
      if (payload.dataSize() != size) {
        throw CellarException.invalid(
            "The result blob size doesn't match with the requested size, "
                + payload.dataSize()
                + " vs. "
                + size);
      }
      return new Blob(id, instanceId(), bytes, true);
    } finally {
      lock.unlock();
    }
  }

  @Override
  Map<Long, Blob> fetchBlobs(Collection<Long> ids) throws IOException {
    ObjectNode reply =
        channel.call(
            Requests.getBuffers("get_remote_buffers_request", ids, true), "get_buffers_reply");
    if (reply.path("compress").asBoolean(false)) {
      throw CellarException.invalid(
          "vineyardd compressed the buffers though this client asked not to");
    }
    List<Payload> payloads = PayloadJson.readList(reply);
    Map<Long, Blob> blobs = new LinkedHashMap<>();
    for (Payload payload : payloads) {
      MemorySegment bytes =
          payload.dataSize() == 0
              ? MemorySegment.ofArray(new byte[0])
              : Arena.ofAuto().allocate(payload.dataSize(), 64);
      if (payload.dataSize() > 0) {
        stream.readFully(bytes);
      }
      blobs.put(payload.objectId(), new Blob(payload.objectId(), instanceId(), bytes, true));
    }
    return blobs;
  }

  @Override
  void releaseResources() {}

  @Override
  public String toString() {
    return "RpcClient[" + endpoint + "]";
  }
}
