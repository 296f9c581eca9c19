package io.cellar.server.process;

import static io.cellar.server.process.Wire.ok;
import static io.cellar.server.process.Wire.putBlob;
import static io.cellar.server.process.Wire.req;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellar.protocol.Payload;
import io.cellar.protocol.PayloadJson;
import io.cellar.protocol.UnsignedJson;
import io.cellar.server.testing.RawWireClient;
import io.cellar.testing.daemon.VineyarddExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Spilling through the server: more sealed, unreferenced data than {@code --size} goes to {@code
 * --spill_path} (the creations run on the worker pool) and comes back byte-exact on {@code
 * get_buffers}; {@code evict}/{@code load}/{@code unpin} are answered.
 */
class SpillThroughServerIT {
  private static final Path SPILL = tempDir();

  @RegisterExtension
  static final VineyarddExtension SERVER = TestDaemons.server("64M", "--spill_path=" + SPILL);

  private static Path tempDir() {
    try {
      Path p = Files.createTempDirectory("cellar-spill");
      p.toFile().deleteOnExit();
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void coldBlobsSpillAndComeBackByteExact() throws Exception {
    List<Long> ids = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    for (int i = 0; i < 6; i++) { // 6 x 16 MiB through a 64 MiB store
      byte[] data = new byte[16 << 20];
      Arrays.fill(data, (byte) (i + 1));
      data[data.length - 1] = (byte) (100 + i);
      try (RawWireClient c = RawWireClient.connect(SERVER.socket())) {
        Payload p = putBlob(c, data);
        ids.add(p.objectId());
        contents.add(data);
      } // disconnecting drops the reference: the blob is cold and may spill
    }
    try (RawWireClient c = RawWireClient.connect(SERVER.socket())) {
      boolean anySpilled = false;
      for (long id : ids) {
        JsonNode r = c.call(req("is_spilled_request").set("id", UnsignedJson.node(id)));
        anySpilled |= ok(r, "is_spilled_reply").get("is_spilled").asBoolean();
      }
      assertTrue(anySpilled, "some blobs went to the spill path");
      for (int i : new int[] {0, 5, 1}) {
        JsonNode got =
            ok(
                c.call(
                    req("get_buffers_request")
                        .put("num", 1)
                        .set("0", UnsignedJson.node(ids.get(i)))),
                "get_buffers_reply");
        Payload q = PayloadJson.read(got.get("payloads").get(0));
        assertArrayEquals(contents.get(i), c.blob(q).toArray(ValueLayout.JAVA_BYTE), "blob " + i);
        c.call(req("release_request").set("object_id", UnsignedJson.node(ids.get(i))));
      }
      var list = RawWireClient.JSON.createArrayNode().add(UnsignedJson.node(ids.get(2)));
      assertEquals(
          "load_reply",
          c.call(req("load_request").put("pin", true).set("ids", list)).path("type").asText());
      assertEquals(
          "unpin_reply", c.call(req("unpin_request").set("ids", list)).path("type").asText());
      assertEquals(
          "evict_reply", c.call(req("evict_request").set("ids", list)).path("type").asText());
    }
  }
}
