package io.cellar.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PayloadJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Payload BLOB =
      new Payload(0x8005300822f54d1cL, 7, 4096, 100, 1L << 30, 0xffff800012345000L, true, true);

  @Test
  void writesTheReferenceFieldsAndReadsThemBackFromTheWire() throws Exception {
    String text = JSON.writeValueAsString(PayloadJson.write(BLOB));
    assertEquals(
        "{\"data_offset\":4096,\"data_size\":100,\"is_gpu\":false,\"is_owner\":true,"
            + "\"is_sealed\":true,\"map_size\":1073741824,\"object_id\":"
            + Long.toUnsignedString(BLOB.objectId())
            + ",\"pointer\":"
            + Long.toUnsignedString(BLOB.pointer())
            + ",\"store_fd\":7}",
        text);
    assertEquals(BLOB, PayloadJson.read(JSON.readTree(text)));
  }

  @Test
  void listsAreAnArrayAndNumberedKeysAndReadFromEither() throws Exception {
    ObjectNode reply = JSON.createObjectNode();
    PayloadJson.putList(reply, List.of(BLOB, Payload.EMPTY));
    assertEquals(
        List.of(BLOB, Payload.EMPTY), PayloadJson.readList(JSON.readTree(reply.toString())));
    reply.remove("payloads");
    reply.put("num", 2);
    assertEquals(
        List.of(BLOB, Payload.EMPTY), PayloadJson.readList(JSON.readTree(reply.toString())));
  }

  @Test
  void fdsAreDueOncePerNewArenaInPayloadOrder() throws Exception {
    Payload a = new Payload(0x8000000000000001L, 9, 0, 10, 4096, 0, true, true);
    Payload b = new Payload(0x8000000000000002L, 3, 64, 10, 4096, 0, true, true);
    Payload again = new Payload(0x8000000000000003L, 9, 128, 10, 4096, 0, true, true);
    Payload known = new Payload(0x8000000000000004L, 5, 0, 10, 4096, 0, true, true);
    int[] due = FdAnnouncement.due(List.of(a, Payload.EMPTY, b, again, known), Set.of(5)::contains);
    assertArrayEquals(new int[] {9, 3}, due);

    ObjectNode reply = JSON.createObjectNode();
    FdAnnouncement.putArray(reply, new int[] {3, 9});
    FdAnnouncement.check(due, FdAnnouncement.read(reply)); // as sets
    ObjectNode single = JSON.createObjectNode();
    FdAnnouncement.putSingle(single, new int[0]);
    assertEquals(List.of(-1), FdAnnouncement.read(single));
    FdAnnouncement.check(new int[0], FdAnnouncement.read(single));
    assertThrows(IOException.class, () -> FdAnnouncement.check(due, List.of(9)));
    assertNull(FdAnnouncement.read(JSON.createObjectNode()));
  }
}
