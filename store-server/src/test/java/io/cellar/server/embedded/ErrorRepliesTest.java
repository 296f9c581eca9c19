package io.cellar.server.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellar.core.Store;
import io.cellar.core.config.StoreConfig;
import io.cellar.protocol.StatusCode;
import io.cellar.server.ServerConfig;
import io.cellar.server.VineyardServer;
import io.cellar.server.metrics.ErrorReplyCounter;
import io.cellar.server.testing.RawWireClient;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Error accounting end to end over a real socket: a bad request is answered with the protocol's
 * error reply, counted under its status code (also in the Prometheus exposition), and the
 * connection and the server go on.
 */
class ErrorRepliesTest {
  @TempDir Path dir;

  @Test
  void aBadRequestIsAnsweredCountedUnderItsCodeAndEverythingGoesOn() throws Exception {
    Path socket = dir.resolve("errors.sock");
    try (Store store = Store.open(StoreConfig.ofLimit(16L << 20));
        VineyardServer server =
            VineyardServer.start(ServerConfig.ipcOnly(socket.toString()).withMetrics(0), store);
        RawWireClient c = RawWireClient.connect(socket)) {
      ErrorReplyCounter errors = server.metrics().errorReplies();
      assertEquals(0, errors.total());

      JsonNode unknown = c.call(RawWireClient.request("frobnicate_request"));
      assertEquals(1, unknown.get("code").asInt());
      assertEquals("Got unexpected command: frobnicate_request", unknown.get("message").asText());
      JsonNode missing =
          c.call(RawWireClient.request("get_name_request").put("name", "nope").put("wait", false));
      assertEquals(12, missing.get("code").asInt());
      assertFalse(missing.has("type"));
      JsonNode rpcOnly =
          c.call(
              RawWireClient.request("create_remote_buffer_request")
                  .put("size", 8)
                  .put("compress", true));
      assertEquals(6, rpcOnly.get("code").asInt());

      assertEquals(1, errors.sentWith(StatusCode.INVALID));
      assertEquals(1, errors.sentWith(StatusCode.OBJECT_NOT_EXISTS));
      assertEquals(1, errors.sentWith(StatusCode.NOT_IMPLEMENTED));
      assertEquals(3, errors.total());
      String scrape = server.metrics().scrape();
      assertTrue(
          scrape.contains(
              "vineyard_error_replies_total{code=\"12\",status=\"OBJECT_NOT_EXISTS\"} 1.0"),
          scrape);

      // the same connection goes on, and so does the server
      assertEquals(
          "instance_status_reply",
          c.call(RawWireClient.request("instance_status_request")).path("type").asText());
      try (RawWireClient other = RawWireClient.connect(socket)) {
        assertEquals(
            "instance_status_reply",
            other.call(RawWireClient.request("instance_status_request")).path("type").asText());
      }
      assertEquals(3, errors.total(), "successes are not counted as errors");
    }
  }
}
