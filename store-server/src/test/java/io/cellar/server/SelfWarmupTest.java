package io.cellar.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.core.Store;
import io.cellar.core.StoreConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfWarmupTest {
  @TempDir Path dir;

  @Test
  void theScriptRunsCleanlyAndLeavesNothingBehind() throws Exception {
    Path socket = dir.resolve("warm.sock");
    try (Store store = Store.open(StoreConfig.ofLimit(64L << 20));
        VineyardServer server =
            VineyardServer.start(ServerConfig.ipcOnly(socket.toString()), store)) {
      SelfWarmup.run(socket, "__warm");
      SelfWarmup.run(socket, "__warm"); // the name was dropped: it can be used again
      SelfWarmup.frameLoop(socket, SelfWarmup.FRAME_COLUMNS, 2, 3);

      assertEquals(
          0, server.metrics().errorReplies().total(), "every step was answered without error");
      assertEquals(0, store.status().objects(), "no object left");
      assertEquals(0, store.status().memoryUsage(), "no blob memory left");
      assertTrue(store.listNames("*", false, 10).isEmpty(), "no name left");
    }
  }

  @Test
  void theBackgroundThreadFinishes() throws Exception {
    Path socket = dir.resolve("warm2.sock");
    try (Store store = Store.open(StoreConfig.ofLimit(64L << 20));
        VineyardServer server =
            VineyardServer.start(ServerConfig.ipcOnly(socket.toString()), store)) {
      Thread t = SelfWarmup.start(server.ipcSocket());
      t.join(60_000);
      assertTrue(!t.isAlive(), "the warm-up ended");
      assertEquals(0, server.metrics().errorReplies().total());
      assertEquals(0, store.status().memoryUsage());
    }
  }
}
