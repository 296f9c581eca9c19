package io.cellar.server.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.FrameDescriptor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Turns frame bodies into JSON trees and JSON trees into complete frames (header included), with
 * one shared Jackson mapper. Output is compact.
 *
 * <p>Thread-safe: the mapper is immutable after construction.
 */
public final class JsonCodec {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  static {
    MAPPER
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(1000)
                .maxStringLength((int) FrameDescriptor.MAX_BODY_LENGTH)
                .build());
  }

  private JsonCodec() {}

  /**
   * The shared mapper, for building trees.
   *
   * @return the mapper; do not reconfigure it
   */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /**
   * Parses a frame body into a request.
   *
   * @param body the JSON bytes (not released here)
   * @return the request
   * @throws CellarException {@code Invalid} when the body is not a JSON object with a string {@code
   *     type}
   */
  public static Request parseRequest(ByteBuf body) {
    JsonNode root;
    try {
      if (body.hasArray()) {
        root =
            MAPPER.readTree(
                body.array(), body.arrayOffset() + body.readerIndex(), body.readableBytes());
      } else {
        try (ByteBufInputStream in = new ByteBufInputStream(body.duplicate())) {
          root = MAPPER.readTree((java.io.InputStream) in);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw CellarException.invalid("Failed to parse the JSON message: " + oneLine(e.getMessage()));
    }
    if (root == null || root.isMissingNode()) {
      throw CellarException.invalid("Failed to parse the JSON message: empty message");
    }
    if (!(root instanceof ObjectNode object)) {
      throw CellarException.invalid(
          "Failed to parse the JSON message: expected a JSON object, got " + root.getNodeType());
    }
    JsonNode type = object.get("type");
    if (type == null) {
      throw CellarException.invalid("Invalid message: no 'type' field");
    }
    if (!type.isTextual()) {
      throw CellarException.invalid(
          "Failed to parse the JSON message: field 'type' must be a string");
    }
    return new Request(type.textValue(), object);
  }

  /**
   * Encodes a tree as a complete frame: the 8-byte little-endian length, then compact JSON.
   *
   * @param json the message
   * @param alloc where the frame buffer comes from
   * @return a new buffer the caller owns
   */
  public static ByteBuf encodeFrame(JsonNode json, ByteBufAllocator alloc) {
    ByteBuf frame = alloc.ioBuffer(256);
    frame.writeLongLE(0);
    try (OutputStream out = new ByteBufOutputStream(frame)) {
      MAPPER.writeValue(out, json);
    } catch (IOException e) {
      frame.release();
      throw new UncheckedIOException(e);
    }
    frame.setLongLE(
        FrameDescriptor.LENGTH_OFFSET, frame.writerIndex() - (long) FrameDescriptor.BODY_OFFSET);
    return frame;
  }

  /**
   * Compact JSON text of a tree.
   *
   * @param json the tree
   * @return the text
   */
  public static String toText(JsonNode json) {
    try {
      return MAPPER.writeValueAsString(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String oneLine(String s) {
    if (s == null) {
      return "unknown error";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
