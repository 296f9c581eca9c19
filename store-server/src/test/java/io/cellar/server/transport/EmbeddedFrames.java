package io.cellar.server.transport;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellar.server.protocol.JsonCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Frames in and replies out of an {@link EmbeddedChannel}, for the transport's unit tests. */
final class EmbeddedFrames {
  private EmbeddedFrames() {}

  /** A framed JSON request. */
  static ByteBuf frame(String json) {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    return Unpooled.buffer().writeLongLE(b.length).writeBytes(b);
  }

  /** The next reply written, parsed, or null when nothing was written. */
  static JsonNode reply(EmbeddedChannel channel) {
    ByteBuf out = channel.readOutbound();
    if (out == null) {
      return null;
    }
    try {
      long length = out.readLongLE();
      byte[] body = new byte[(int) length];
      out.readBytes(body);
      return JsonCodec.mapper().readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      out.release();
    }
  }
}
