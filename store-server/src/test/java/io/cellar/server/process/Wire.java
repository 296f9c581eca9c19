package io.cellar.server.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.Payload;
import io.cellar.protocol.PayloadJson;
import io.cellar.server.testing.RawWireClient;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/** Small protocol steps and reply checks shared by the process tests. */
final class Wire {
  private Wire() {}

  static ObjectNode req(String type) {
    return RawWireClient.request(type);
  }

  static JsonNode ok(JsonNode reply, String type) {
    assertFalse(reply.has("code") && reply.get("code").asInt() != 0, () -> "error: " + reply);
    assertEquals(type, reply.path("type").asText(), () -> "reply: " + reply);
    return reply;
  }

  static JsonNode error(JsonNode reply, int code, String messagePart) {
    assertEquals(code, reply.path("code").asInt(-1), () -> "reply: " + reply);
    assertFalse(reply.has("type"), () -> "error replies carry no type: " + reply);
    assertTrue(
        reply.path("message").asText().contains(messagePart),
        () -> "message should contain '" + messagePart + "': " + reply);
    return reply;
  }

  /** Creates, fills through the client's mapping, and seals a blob. */
  static Payload putBlob(RawWireClient c, byte[] bytes) throws IOException {
    JsonNode created =
        ok(c.call(req("create_buffer_request").put("size", bytes.length)), "create_buffer_reply");
    Payload p = PayloadJson.read(created.get("created"));
    assertEquals(bytes.length, p.dataSize());
    if (bytes.length > 0) {
      MemorySegment.copy(bytes, 0, c.blob(p), ValueLayout.JAVA_BYTE, 0, bytes.length);
    }
    ok(c.call(req("seal_request").set("object_id", created.get("id"))), "seal_reply");
    return p;
  }

  /** Creates an object with one blob member and returns its id. */
  static long putObject(RawWireClient c, long blobId, long size) throws IOException {
    ObjectNode content = RawWireClient.JSON.createObjectNode();
    content.put("typename", "cellar::Bytes");
    content.put("nbytes", size);
    content.put("instance_id", 0);
    content.put("transient", true);
    content.put("global", false);
    ObjectNode blob = content.putObject("buffer_");
    blob.put("id", ObjectIds.toText(blobId));
    blob.put("typename", "vineyard::Blob");
    blob.put("length", size);
    blob.put("nbytes", size);
    blob.put("instance_id", 0);
    blob.put("transient", true);
    JsonNode reply =
        ok(c.call(req("create_data_request").set("content", content)), "create_data_reply");
    return reply.get("id").asLong();
  }

  static RawWireClient connect(Path socket) throws IOException {
    return RawWireClient.connect(socket);
  }
}
