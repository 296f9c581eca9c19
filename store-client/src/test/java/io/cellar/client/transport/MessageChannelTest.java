package io.cellar.client.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.client.testing.MemoryByteStream;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MessageChannelTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static byte[] frame(String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + body.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(body.length).put(body);
    return b.array();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  @Test
  void sendsAnEightByteLittleEndianLengthThenCompactJson() throws IOException {
    MemoryByteStream stream = new MemoryByteStream(new byte[0]);
    MessageChannel channel = new MessageChannel(stream, MAPPER);
    ObjectNode request = MAPPER.createObjectNode().put("type", "exists_request").put("id", 7);
    channel.send(request);
    assertArrayEquals(frame("{\"type\":\"exists_request\",\"id\":7}"), stream.written());
  }

  @Test
  void receivesFramesOneAtATime() throws IOException {
    MemoryByteStream stream =
        new MemoryByteStream(
            concat(frame("{\"type\":\"a\"}"), frame("{\"type\":\"b\",\"x\":[1,2]}")));
    MessageChannel channel = new MessageChannel(stream, MAPPER);
    assertEquals("a", channel.receive().path("type").asText());
    ObjectNode second = channel.receive();
    assertEquals("b", second.path("type").asText());
    assertEquals(2, second.path("x").size());
  }

  @Test
  void anErrorReplyBecomesACellarExceptionWithItsStatus() {
    MemoryByteStream stream =
        new MemoryByteStream(frame("{\"code\":12,\"message\":\"failed to find name: x\"}"));
    MessageChannel channel = new MessageChannel(stream, MAPPER);
    CellarException e =
        assertThrows(
            CellarException.class,
            () ->
                channel.call(
                    MAPPER.createObjectNode().put("type", "get_name_request"), "get_name_reply"));
    assertEquals(StatusCode.OBJECT_NOT_EXISTS, e.status());
    assertEquals("failed to find name: x", e.getMessage());
  }

  @Test
  void aReplyOfAnotherTypeIsAnAssertionFailure() {
    MemoryByteStream stream = new MemoryByteStream(frame("{\"type\":\"seal_reply\"}"));
    MessageChannel channel = new MessageChannel(stream, MAPPER);
    CellarException e =
        assertThrows(
            CellarException.class,
            () ->
                channel.call(
                    MAPPER.createObjectNode().put("type", "exists_request"), "exists_reply"));
    assertEquals(StatusCode.ASSERTION_FAILED, e.status());
  }

  @Test
  void codeZeroIsNotAnError() throws IOException {
    MemoryByteStream stream =
        new MemoryByteStream(frame("{\"code\":0,\"type\":\"exists_reply\",\"exists\":true}"));
    MessageChannel channel = new MessageChannel(stream, MAPPER);
    ObjectNode reply =
        channel.call(MAPPER.createObjectNode().put("type", "exists_request"), "exists_reply");
    assertEquals(true, reply.path("exists").asBoolean());
  }

  @Test
  void anAbsurdLengthIsRefusedBeforeReadingTheBody() {
    ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L);
    MessageChannel channel = new MessageChannel(new MemoryByteStream(header.array()), MAPPER);
    IOException e = assertThrows(IOException.class, channel::receive);
    assertEquals(true, e.getMessage().contains("18446744073709551615"));
  }

  @Test
  void aTruncatedBodyIsAnEndOfStream() {
    byte[] whole = frame("{\"type\":\"a\"}");
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 2);
    MessageChannel channel = new MessageChannel(new MemoryByteStream(cut), MAPPER);
    assertThrows(java.io.EOFException.class, channel::receive);
  }

  @Test
  void bigBodiesGrowTheScratchBuffer() throws IOException {
    String big = "x".repeat(100_000);
    MemoryByteStream stream = new MemoryByteStream(frame("{\"type\":\"a\",\"s\":\"" + big + "\"}"));
    MessageChannel channel = new MessageChannel(stream, MAPPER);
    assertEquals(big, channel.receive().path("s").asText());
  }
}
