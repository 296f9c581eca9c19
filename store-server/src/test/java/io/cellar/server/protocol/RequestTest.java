package io.cellar.server.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cellar.protocol.CellarException;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestTest {
  private static Request parse(String s) {
    return JsonCodec.parseRequest(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
  }

  @Test
  void missingAndMistypedFieldsNameTheFieldAndCommand() {
    Request r = parse("{\"type\":\"create_buffer_request\",\"wait\":\"yes\",\"size\":-1}");
    assertEquals(
        "Missing field 'object_id' in create_buffer_request",
        assertThrows(CellarException.class, () -> r.requireUnsigned("object_id")).getMessage());
    assertEquals(
        "Field 'wait' of create_buffer_request must be a boolean, got STRING",
        assertThrows(CellarException.class, () -> r.bool("wait", false)).getMessage());
    assertThrows(CellarException.class, () -> r.requireString("name"));
  }

  @Test
  void readsIdsAsNumberedKeysOrArray() {
    assertArrayEquals(
        new long[] {5, -1L},
        parse("{\"type\":\"t\",\"num\":2,\"0\":5,\"1\":18446744073709551615}").numberedIds());
    assertArrayEquals(new long[] {7, 8}, parse("{\"type\":\"t\",\"ids\":[7,8]}").numberedIds());
    assertThrows(
        CellarException.class, () -> parse("{\"type\":\"t\",\"num\":2,\"0\":5}").numberedIds());
    assertThrows(
        CellarException.class,
        () -> parse("{\"type\":\"t\",\"num\":1000000000,\"0\":5}").numberedIds());
  }

  @Test
  void defaultsApplyOnlyWhenAbsent() {
    Request r = parse("{\"type\":\"t\",\"flag\":true}");
    assertEquals(true, r.bool("flag", false));
    assertFalse(r.bool("other", false));
    assertEquals(3, r.unsigned("n", 3));
  }
}
