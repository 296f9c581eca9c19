package io.cellar.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class UnsignedJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void idsWithBit63AreWrittenAsPositiveNumbers() throws Exception {
    assertEquals(
        "9223372036854775808", JSON.writeValueAsString(UnsignedJson.node(ObjectIds.EMPTY_BLOB)));
    assertEquals(
        "18446744073709551615", JSON.writeValueAsString(UnsignedJson.node(ObjectIds.INVALID)));
    assertEquals("42", JSON.writeValueAsString(UnsignedJson.node(42)));
    long blob = 0x8005300822f54d1cL;
    assertEquals(Long.toUnsignedString(blob), JSON.writeValueAsString(UnsignedJson.node(blob)));
  }

  @Test
  void readsNumbersAndTextIdsBack() throws Exception {
    for (long v :
        new long[] {
          0, 1, Long.MAX_VALUE, ObjectIds.EMPTY_BLOB, ObjectIds.INVALID, 0x8005300822f54d1cL
        }) {
      JsonNode parsed = JSON.readTree(JSON.writeValueAsString(UnsignedJson.node(v)));
      assertEquals(v, UnsignedJson.read(parsed, "id"));
      assertEquals(v, UnsignedJson.read(JSON.getNodeFactory().textNode(ObjectIds.toText(v)), "id"));
      assertEquals(v, UnsignedJson.read(UnsignedJson.node(v), "id"), "the written node itself");
    }
  }

  @Test
  void rejectsWhatIsNotAnUnsigned64BitNumber() throws Exception {
    for (String bad : new String[] {"18446744073709551616", "\"hello\"", "1.5", "true", "null"}) {
      CellarException e =
          assertThrows(CellarException.class, () -> UnsignedJson.read(JSON.readTree(bad), "id"));
      assertEquals(StatusCode.INVALID, e.status());
    }
    assertThrows(CellarException.class, () -> UnsignedJson.field(JSON.createObjectNode(), "id"));
  }
}
