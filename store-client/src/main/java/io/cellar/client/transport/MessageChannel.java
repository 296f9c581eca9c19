package io.cellar.client.transport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.FrameDescriptor;
import io.cellar.protocol.StatusCode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The protocol's message layer over a {@link ByteStream}: each message is framed as {@link
 * FrameDescriptor} draws it (8-byte little-endian length, then compact JSON), and each reply is
 * checked the way the reference client checks it ({@code CHECK_IPC_ERROR}): a non-zero {@code code}
 * becomes a {@link CellarException} with that {@link StatusCode}, otherwise {@code type} must be
 * the expected reply type.
 *
 * <p>Not thread-safe: one request at a time, which the clients guarantee with their lock. Owns the
 * stream and a native scratch buffer until {@link #close()}.
 */
public final class MessageChannel implements AutoCloseable {
  private static final ValueLayout.OfLong LENGTH =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final ByteStream stream;
  private final ObjectMapper mapper;
  private final Arena arena = Arena.ofShared();
  private MemorySegment scratch;

  /**
   * A channel over a connected stream.
   *
   * @param stream the stream; the channel owns it from now on
   * @param mapper the JSON mapper (shared, thread-safe)
   */
  public MessageChannel(ByteStream stream, ObjectMapper mapper) {
    this.stream = stream;
    this.mapper = mapper;
    this.scratch = arena.allocate(16 * 1024, 64);
  }

  /**
   * The underlying stream, for raw bytes and fds that follow a reply.
   *
   * @return the stream
   */
  public ByteStream stream() {
    return stream;
  }

  /**
   * The JSON mapper this channel encodes with.
   *
   * @return the mapper
   */
  public ObjectMapper mapper() {
    return mapper;
  }

  /**
   * Sends one framed message.
   *
   * @param message the JSON object, written compactly
   * @throws IOException when the connection fails
   */
  public void send(ObjectNode message) throws IOException {
    send(List.of(message));
  }

  /**
   * Sends several framed messages with one write, for requests whose replies the caller then reads
   * in order. The server still answers them one by one (it reads the next request only after
   * replying), so this saves the round trips, never the checks.
   *
   * @param messages the JSON objects, each written compactly in its own frame
   * @throws IOException when the connection fails
   */
  public void send(List<ObjectNode> messages) throws IOException {
    long total = 0;
    byte[][] bodies = new byte[messages.size()][];
    for (int i = 0; i < bodies.length; i++) {
      try {
        bodies[i] = mapper.writeValueAsBytes(messages.get(i));
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("cannot encode " + messages.get(i).get("type"), e);
      }
      total += FrameDescriptor.LENGTH_SIZE + (long) bodies[i].length;
    }
    MemorySegment frames = ensureScratch(total);
    long at = 0;
    for (byte[] body : bodies) {
      frames.set(LENGTH, at, body.length);
      MemorySegment.copy(
          body, 0, frames, ValueLayout.JAVA_BYTE, at + FrameDescriptor.BODY_OFFSET, body.length);
      at += FrameDescriptor.LENGTH_SIZE + (long) body.length;
    }
    stream.writeFully(frames.asSlice(0, total));
  }

  /**
   * Receives one framed message.
   *
   * @return the parsed JSON object
   * @throws IOException when the connection fails, the length is out of range or the body is not a
   *     JSON object
   */
  public ObjectNode receive() throws IOException {
    MemorySegment header = ensureScratch(FrameDescriptor.LENGTH_SIZE);
    stream.awaitReadable();
    stream.readFully(header.asSlice(0, FrameDescriptor.LENGTH_SIZE));
    long length = header.get(LENGTH, 0);
    if (length < 0 || length > FrameDescriptor.MAX_BODY_LENGTH) {
      throw new IOException(
          "vineyardd sent a message of " + Long.toUnsignedString(length) + " bytes");
    }
    MemorySegment body = ensureScratch(length).asSlice(0, length);
    stream.readFully(body);
    byte[] bytes = body.toArray(ValueLayout.JAVA_BYTE);
    JsonNode node = mapper.readTree(bytes);
    if (!(node instanceof ObjectNode object)) {
      throw new IOException("vineyardd sent a message that is not a JSON object");
    }
    return object;
  }

  /**
   * Sends a request and receives its reply, raising error replies.
   *
   * @param request the request
   * @param replyType the {@code type} the reply must have
   * @return the reply
   * @throws IOException when the connection fails
   * @throws CellarException when the server answers with an error, or a reply of another type
   */
  public ObjectNode call(ObjectNode request, String replyType) throws IOException {
    send(request);
    return expect(receive(), replyType);
  }

  /**
   * Checks a reply as the reference client does.
   *
   * @param reply the received message
   * @param replyType the expected {@code type}
   * @return the reply
   * @throws CellarException for an error reply ({@code code} non-zero) or a mismatched type
   */
  public static ObjectNode expect(ObjectNode reply, String replyType) {
    JsonNode code = reply.get("code");
    if (code != null && code.isNumber() && code.asInt() != 0) {
      String message = reply.path("message").asText("");
      throw new CellarException(StatusCode.of(code.asInt()), message);
    }
    String type = reply.path("type").asText(null);
    if (!replyType.equals(type)) {
      throw new CellarException(
          StatusCode.ASSERTION_FAILED, "expected a '" + replyType + "' reply, got '" + type + "'");
    }
    return reply;
  }

  private MemorySegment ensureScratch(long size) {
    if (scratch.byteSize() < size) {
      long capacity = Math.max(size, scratch.byteSize() * 2);
      scratch = arena.allocate(capacity, 64);
    }
    return scratch;
  }

  /** Closes the stream and frees the scratch buffer; idempotent. */
  @Override
  public void close() {
    stream.close();
    if (arena.scope().isAlive()) {
      arena.close();
    }
  }
}
