package io.cellar.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellar.core.blob.Payload;
import io.cellar.server.protocol.JsonCodec;
import org.junit.jupiter.api.Test;

class PayloadJsonTest {
  @Test
  void writesTheSameJsonAsPayloadToJsonWithUnsignedIds() throws Exception {
    Payload p = new Payload(0x8000_0000_0000_1234L, 7, 4096, 24, 17179869192L, -4096L, true, true);
    String fast = JsonCodec.toText(PayloadJson.payload(p));
    JsonNode reference = JsonCodec.mapper().readTree(JsonCodec.toText(p.toJson()));
    assertEquals(reference, JsonCodec.mapper().readTree(fast));
    assertFalse(fast.contains("-"), fast);
    assertEquals(
        "{\"data_offset\":4096,\"data_size\":24,\"is_gpu\":false,\"is_owner\":true,"
            + "\"is_sealed\":true,\"map_size\":17179869192,\"object_id\":9223372036854780468,"
            + "\"pointer\":18446744073709547520,\"store_fd\":7}",
        fast);
  }
}
