package io.cellar.server.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import io.cellar.protocol.UnsignedJson;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonCodecTest {
  private static Request parse(String s) {
    return JsonCodec.parseRequest(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
  }

  private static String invalidMessage(String s) {
    CellarException e = assertThrows(CellarException.class, () -> parse(s));
    assertEquals(StatusCode.INVALID, e.status());
    return e.getMessage();
  }

  @Test
  void parsesARequest() {
    Request r = parse("{\"type\":\"seal_request\",\"object_id\":9223372036854775809}");
    assertEquals("seal_request", r.type());
    assertEquals(0x8000000000000001L, r.requireUnsigned("object_id"));
  }

  @Test
  void rejectsBadJsonClearly() {
    assertTrue(invalidMessage("{not json").startsWith("Failed to parse the JSON message"));
    assertTrue(invalidMessage("").contains("Failed to parse"));
    assertTrue(invalidMessage("[1,2]").contains("expected a JSON object"));
    assertEquals("Invalid message: no 'type' field", invalidMessage("{\"a\":1}"));
    assertTrue(invalidMessage("{\"type\":5}").contains("'type' must be a string"));
    assertTrue(invalidMessage("{\"type\":\"x\"} trailing").contains("Failed to parse"));
  }

  @Test
  void encodesAFrameWithItsLittleEndianLength() {
    ObjectNode n = Replies.ok("seal_reply");
    UnsignedJson.put(n, "id", -1L);
    ByteBuf f = JsonCodec.encodeFrame(n, ByteBufAllocator.DEFAULT);
    try {
      long len = f.getLongLE(0);
      String body = f.toString(8, (int) len, StandardCharsets.UTF_8);
      assertEquals(f.readableBytes() - 8, len);
      assertEquals("{\"type\":\"seal_reply\",\"id\":18446744073709551615}", body);
    } finally {
      f.release();
    }
  }

  @Test
  void errorRepliesHaveCodeAndMessageAndNoType() {
    ObjectNode e = Replies.error(CellarException.notExists("gone"));
    assertEquals(12, e.get("code").asInt());
    assertEquals("gone", e.get("message").asText());
    assertFalse(e.has("type"));
  }
}
