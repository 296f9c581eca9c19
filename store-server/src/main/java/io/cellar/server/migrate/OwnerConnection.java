package io.cellar.server.migrate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.client.transport.MessageChannel;
import io.cellar.client.transport.TcpStream;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.Payload;
import io.cellar.protocol.PayloadJson;
import io.cellar.protocol.UnsignedJson;
import io.cellar.protocol.VineyardVersion;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * An RPC connection from this server to the instance that owns some blobs, the way the reference's
 * {@code RemoteClient} talks to its peer (reference §5): {@code register_request}, then {@code
 * get_remote_buffers_request} (uncompressed, no RDMA) whose reply is followed by the raw bytes of
 * every non-empty blob in payload order. The bytes are read straight into the memory the caller
 * hands out for each payload, so a pulled blob is copied once, from the socket into the arena.
 *
 * <p>Not thread-safe: one request at a time, on the thread that opened it (a worker thread, never
 * an event loop: every call blocks on the network).
 */
final class OwnerConnection implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * How long the owner may send nothing while this server waits for it (connecting, a reply, the
   * bytes of a blob); then the pull fails with IOError instead of holding a worker forever.
   */
  static final Duration STALL_TIMEOUT = Duration.ofSeconds(30);

  private final MessageChannel channel;
  private final StalledStream stream;
  private final String endpoint;

  private OwnerConnection(StalledStream stream, String endpoint) {
    this.stream = stream;
    this.channel = new MessageChannel(stream, MAPPER);
    this.endpoint = endpoint;
  }

  /**
   * Connects to an owner's RPC endpoint and registers.
   *
   * @param endpoint {@code host:port} as the owner published it ({@code host} alone means port
   *     9600, as the reference reads it)
   * @return the registered connection, owned by the caller
   * @throws IOException when the owner cannot be reached or refuses the registration
   */
  static OwnerConnection open(String endpoint) throws IOException {
    return open(endpoint, STALL_TIMEOUT);
  }

  /**
   * Connects to an owner's RPC endpoint and registers, giving up on silence after {@code stall}.
   *
   * @param endpoint {@code host:port} ({@code host} alone means port 9600)
   * @param stall how long the owner may send nothing (the connect included)
   * @return the registered connection, owned by the caller
   * @throws IOException when the owner cannot be reached, stays silent or refuses the registration
   */
  static OwnerConnection open(String endpoint, Duration stall) throws IOException {
    int colon = endpoint.lastIndexOf(':');
    String host = colon < 0 ? endpoint : endpoint.substring(0, colon);
    int port;
    try {
      port = colon < 0 ? 9600 : Integer.parseInt(endpoint.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IOException("malformed rpc_endpoint '" + endpoint + "'", e);
    }
    OwnerConnection c =
        new OwnerConnection(
            new StalledStream(TcpStream.connect(host, port, stall), stall, "the owner " + endpoint),
            endpoint);
    try {
      ObjectNode register = MAPPER.createObjectNode();
      register.put("type", "register_request");
      register.put("version", VineyardVersion.VALUE);
      register.put("store_type", 1);
      register.put("session_id", 0L);
      register.put("username", "");
      register.put("password", "");
      c.channel.call(register, "register_reply");
      return c;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /**
   * Pulls blobs: asks for them and reads each non-empty one's bytes into the memory {@code target}
   * gives for its payload.
   *
   * @param blobIds the blobs, all owned by the peer
   * @param target the writable memory of each payload's bytes (exactly {@code dataSize} long);
   *     called in payload order, only for non-empty payloads
   * @return the payloads as the owner described them, in its order
   * @throws IOException when the connection fails
   * @throws CellarException when the owner answers with an error, or with another number of
   *     payloads than asked for
   */
  List<Payload> pull(Collection<Long> blobIds, Function<Payload, MemorySegment> target)
      throws IOException {
    ObjectNode request = MAPPER.createObjectNode();
    request.put("type", "get_remote_buffers_request");
    int i = 0;
    for (long id : blobIds) {
      UnsignedJson.put(request, Integer.toString(i++), id);
    }
    request.put("num", blobIds.size());
    request.put("unsafe", false);
    request.put("compress", false);
    request.put("use_rdma", false);
    ObjectNode reply = channel.call(request, "get_buffers_reply");
    if (reply.path("compress").asBoolean(false)) {
      throw CellarException.invalid(
          "the owner " + endpoint + " compressed the blobs though this server asked it not to");
    }
    List<Payload> payloads = new ArrayList<>(PayloadJson.readList(reply));
    if (payloads.size() != blobIds.size()) {
      throw CellarException.invalid(
          "The result size doesn't match with the requested sizes: "
              + payloads.size()
              + " vs. "
              + blobIds.size()
              + " (from "
              + endpoint
              + ")");
    }
    for (Payload p : payloads) {
      if (p.dataSize() > 0) {
        stream.readFully(target.apply(p));
      }
    }
    return payloads;
  }

  /** Closes the connection (without an {@code exit_request}: the owner sees it end). */
  @Override
  public void close() {
    channel.close();
  }
}
