package io.cellar.server.embedded;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellar.core.Store;
import io.cellar.core.config.StoreConfig;
import io.cellar.server.ServerConfig;
import io.cellar.server.VineyardServer;
import io.cellar.server.testing.RawWireClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping the server while clients are connected, or while they hang up, leaves no store owner
 * open: every connection's references and unsealed blobs are given back, whether or not the
 * stopping event loop still delivered the connection's end.
 */
class ServerStopClosesSessionsTest {
  @TempDir Path dir;

  @RepeatedTest(5)
  void stoppingWithClientsConnectedOrHangingUpLeavesNothingOpen() throws Exception {
    Path socket = dir.resolve("stop.sock");
    Store store = Store.open(StoreConfig.ofLimit(16L << 20));
    VineyardServer server = VineyardServer.start(ServerConfig.ipcOnly(socket.toString()), store);
    List<RawWireClient> clients = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      RawWireClient c = RawWireClient.connect(socket);
      JsonNode created = c.call(RawWireClient.request("create_buffer_request").put("size", 64));
      assertEquals("create_buffer_reply", created.path("type").asText(), created::toString);
      clients.add(c);
    }
    for (int i = 0; i < 3; i++) {
      clients.get(i).close(); // hangs up just before the stop
    }
    server.close();
    assertDoesNotThrow(store::close, "the store's leak check: an owner or a blob left open");
    for (RawWireClient c : clients.subList(3, 6)) {
      c.close();
    }
  }
}
