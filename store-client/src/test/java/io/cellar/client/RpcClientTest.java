package io.cellar.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.client.testing.MemoryByteStream;
import io.cellar.protocol.Payload;
import io.cellar.protocol.PayloadJson;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The RPC client's inline byte transfers (reference §5) against a scripted byte stream. */
class RpcClientTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final long BLOB = 0x8000000000000011L;

  private static byte[] frame(ObjectNode message) throws Exception {
    byte[] body = MAPPER.writeValueAsBytes(message);
    return ByteBuffer.allocate(8 + body.length)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putLong(body.length)
        .put(body)
        .array();
  }

  private static ObjectNode registerReply() {
    return MAPPER
        .createObjectNode()
        .put("type", "register_reply")
        .put("instance_id", 3)
        .put("ipc_socket", "/x")
        .put("rpc_endpoint", "h:9600")
        .put("session_id", 0)
        .put("store_match", true)
        .put("support_rpc_compression", false)
        .put("version", "0.24.2");
  }

  /** Reads the frames and raw bytes a client wrote, in order. */
  private static final class Written {
    private final ByteBuffer bytes;

    Written(byte[] bytes) {
      this.bytes = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    ObjectNode frame() throws Exception {
      byte[] body = new byte[(int) bytes.getLong()];
      bytes.get(body);
      return (ObjectNode) MAPPER.readTree(body);
    }

    byte[] raw(int n) {
      byte[] out = new byte[n];
      bytes.get(out);
      return out;
    }

    boolean done() {
      return !bytes.hasRemaining();
    }
  }

  @Test
  void createRemoteBufferSendsTheBytesBetweenTwoReplies() throws Exception {
    byte[] data = "inline".getBytes(StandardCharsets.UTF_8);
    ObjectNode created = MAPPER.createObjectNode().put("type", "create_buffer_reply");
    created.put("id", BLOB).put("fd", -1);
    created.set(
        "created", PayloadJson.write(new Payload(BLOB, -1, 0, data.length, 0, 0, true, true)));
    ByteArrayOutputStream input = new ByteArrayOutputStream();
    input.writeBytes(frame(registerReply()));
    input.writeBytes(frame(created));
    input.writeBytes(frame(created));
    MemoryByteStream stream = new MemoryByteStream(input.toByteArray());
    try (RpcClient client = RpcClient.over(stream, "test")) {
      Blob blob = client.putBytes(data);
      assertEquals(BLOB, blob.id());
      assertEquals(0, blob.metadata().path("length").asInt(), "remote blobs say length 0");
      assertEquals(3, blob.metadata().path("instance_id").asInt());
    }
    Written out = new Written(stream.written());
    assertEquals("register_request", out.frame().path("type").asText());
    ObjectNode request = out.frame();
    assertEquals("create_remote_buffer_request", request.path("type").asText());
    assertEquals(data.length, request.path("size").asInt());
    assertFalse(request.path("compress").asBoolean(true));
    assertArrayEquals(data, out.raw(data.length), "the bytes follow the request, unframed");
    assertEquals("exit_request", out.frame().path("type").asText());
  }

  @Test
  void getRemoteBuffersReadsEachNonEmptyBlobAfterTheReply() throws Exception {
    long a = BLOB;
    long empty = 0x8000000000000000L;
    long b = BLOB + 1;
    ObjectNode reply = MAPPER.createObjectNode().put("type", "get_buffers_reply");
    var payloads = reply.putArray("payloads");
    payloads.add(PayloadJson.write(new Payload(a, -1, 0, 3, 0, 0, true, true)));
    payloads.add(PayloadJson.write(Payload.EMPTY));
    payloads.add(PayloadJson.write(new Payload(b, -1, 0, 2, 0, 0, true, true)));
    reply.put("num", 3).put("compress", false).putArray("fds");
    ByteArrayOutputStream input = new ByteArrayOutputStream();
    input.writeBytes(frame(registerReply()));
    input.writeBytes(frame(reply));
    input.writeBytes("abc".getBytes(StandardCharsets.UTF_8)); // the empty blob sends nothing
    input.writeBytes("de".getBytes(StandardCharsets.UTF_8));
    MemoryByteStream stream = new MemoryByteStream(input.toByteArray());
    try (RpcClient client = RpcClient.over(stream, "test")) {
      Map<Long, Blob> blobs = client.getBlobs(List.of(a, empty, b));
      assertArrayEquals("abc".getBytes(), blobs.get(a).segment().toArray(ValueLayout.JAVA_BYTE));
      assertEquals(0, blobs.get(empty).size());
      assertArrayEquals("de".getBytes(), blobs.get(b).segment().toArray(ValueLayout.JAVA_BYTE));
    }
    Written out = new Written(stream.written());
    out.frame();
    ObjectNode request = out.frame();
    assertEquals("get_remote_buffers_request", request.path("type").asText());
    assertEquals(3, request.path("num").asInt());
    assertEquals(Long.toUnsignedString(empty), request.path("1").asText());
    assertFalse(request.path("compress").asBoolean(true));
    assertEquals("exit_request", out.frame().path("type").asText());
    assertEquals(true, out.done());
  }
}
