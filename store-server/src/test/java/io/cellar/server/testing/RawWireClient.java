package io.cellar.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.Payload;
import io.cellar.protocol.PayloadJson;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A raw wire client for tests (not the product's {@code io.cellar.client.ProtocolClient}): it sends
 * any bytes, well-formed or not, and checks the server's bytes exactly. It speaks the Vineyard
 * protocol as the C++ client does: framed JSON requests, one reply each, and for every reply that
 * announces fds ({@code fd}/{@code fds}) exactly those fds received right after it and mapped once
 * ({@code map_size - 8} bytes), keyed by the server's {@code store_fd}. It checks the announcement
 * against the C++ client's rule (each new {@code store_fd} of a non-empty payload, in order).
 *
 * <p>Not thread-safe. Closing unmaps and closes everything.
 */
public final class RawWireClient implements AutoCloseable {
  /** Shared JSON mapper. */
  public static final ObjectMapper JSON = new ObjectMapper();

  private final RawUnixClient raw;
  private final Map<Integer, MemorySegment> mappings = new HashMap<>();
  private final List<Integer> receivedFds = new ArrayList<>();

  /**
   * Connects without registering.
   *
   * @param socket the server's socket
   * @throws IOException when the connection fails
   */
  public RawWireClient(Path socket) throws IOException {
    this.raw = new RawUnixClient(socket, 20);
  }

  /**
   * Connects and registers as the C++ client does.
   *
   * @param socket the server's socket
   * @return the registered client
   * @throws IOException when the connection or registration fails
   */
  public static RawWireClient connect(Path socket) throws IOException {
    RawWireClient c = new RawWireClient(socket);
    JsonNode reply =
        c.call(
            request("register_request")
                .put("version", "0.24.2")
                .put("store_type", 1)
                .put("session_id", 0)
                .put("username", "")
                .put("password", ""));
    if (!"register_reply".equals(reply.path("type").asText())) {
      throw new IOException("register failed: " + reply);
    }
    return c;
  }

  /**
   * A new request object.
   *
   * @param type the request type
   * @return the object
   */
  public static ObjectNode request(String type) {
    ObjectNode n = JSON.createObjectNode();
    n.put("type", type);
    return n;
  }

  /**
   * The raw socket, for malformed input.
   *
   * @return the raw client
   */
  public RawUnixClient raw() {
    return raw;
  }

  /**
   * Sends a framed body.
   *
   * @param body the JSON bytes (or anything)
   * @throws IOException on a write error
   */
  public void sendFrame(byte[] body) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    header.putLong(body.length);
    byte[] frame = new byte[8 + body.length];
    System.arraycopy(header.array(), 0, frame, 0, 8);
    System.arraycopy(body, 0, frame, 8, body.length);
    raw.write(frame);
  }

  /**
   * Reads one framed reply.
   *
   * @return the parsed reply
   * @throws IOException on EOF, timeout, or ancillary data
   */
  public JsonNode readReply() throws IOException {
    long len = ByteBuffer.wrap(raw.readExactly(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (len < 0 || len > (1 << 30)) {
      throw new IOException("implausible reply length " + len);
    }
    byte[] body = raw.readExactly((int) len);
    return JSON.readTree(new String(body, StandardCharsets.UTF_8));
  }

  /**
   * Sends a request and reads its reply, receiving and mapping any fds the reply announces.
   *
   * @param request the request
   * @return the reply
   * @throws IOException on any protocol violation
   */
  public JsonNode call(ObjectNode request) throws IOException {
    sendFrame(JSON.writeValueAsBytes(request));
    JsonNode reply = readReply();
    receiveAnnouncedFds(reply);
    return reply;
  }

  private void receiveAnnouncedFds(JsonNode reply) throws IOException {
    List<Payload> payloads = new ArrayList<>();
    List<Integer> announced = new ArrayList<>();
    if (reply.has("created")) {
      payloads.add(PayloadJson.read(reply.get("created")));
      int fd = reply.path("fd").asInt(-1);
      if (fd != -1) {
        announced.add(fd);
      }
    } else if (reply.has("payloads")) {
      for (JsonNode p : reply.get("payloads")) {
        payloads.add(PayloadJson.read(p));
      }
      for (JsonNode f : reply.path("fds")) {
        announced.add(f.asInt());
      }
    } else {
      return;
    }
    List<Integer> expected = new ArrayList<>();
    for (Payload p : payloads) {
      if (p.dataSize() > 0
          && !mappings.containsKey(p.storeFd())
          && !expected.contains(p.storeFd())) {
        expected.add(p.storeFd());
      }
    }
    if (!expected.equals(announced)) {
      throw new IOException("server announced fds " + announced + " but " + expected + " are due");
    }
    for (Payload p : payloads) {
      if (p.dataSize() > 0 && !mappings.containsKey(p.storeFd())) {
        int fd = raw.receiveFd();
        receivedFds.add(fd);
        mappings.put(p.storeFd(), RawUnixClient.map(fd, p.mapSize() - 8, true));
      }
    }
  }

  /**
   * A blob's bytes in this client's mapping of its arena.
   *
   * @param p the blob's payload
   * @return the writable view
   */
  public MemorySegment blob(Payload p) {
    MemorySegment m = mappings.get(p.storeFd());
    if (m == null) {
      throw new IllegalStateException("arena " + p.storeFd() + " is not mapped");
    }
    return m.asSlice(p.dataOffset(), p.dataSize());
  }

  /**
   * The base address of this client's mapping of a payload's arena.
   *
   * @param p a payload of a mapped arena
   * @return the mapping's address
   */
  public long mappingBase(Payload p) {
    return mappings.get(p.storeFd()).address();
  }

  /**
   * How many fds this client has received.
   *
   * @return the count
   */
  public int receivedFdCount() {
    return receivedFds.size();
  }

  /** Sends {@code exit_request} (no reply is expected). */
  public void exit() throws IOException {
    sendFrame(JSON.writeValueAsBytes(request("exit_request")));
  }

  @Override
  public void close() {
    for (MemorySegment m : mappings.values()) {
      RawUnixClient.unmap(m);
    }
    for (int fd : receivedFds) {
      RawUnixClient.closeFd(fd);
    }
    raw.close();
  }
}
