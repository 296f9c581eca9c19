package io.cellar.server.warmup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.testing.JavaCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The background warm-up tells a daemon that is shutting down from a real failure (a SIGTERM while
 * it runs is no news and logs no exception): {@link ThrowawayServer} says when its shutdown hook,
 * not its owner, closed it, and a start during shutdown throws {@link
 * ThrowawayServer.ShuttingDownException}, in a real child JVM.
 */
class ThrowawayServerShutdownTest {
  @Test
  void aServerItsOwnerClosesWasNotClosedByShutdown() throws IOException {
    ThrowawayServer server = ThrowawayServer.start(false);
    assertFalse(server.closedByShutdown());
    server.close();
    assertFalse(server.closedByShutdown(), "closed by its owner");
  }

  @Test
  void duringShutdownTheHookClosesTheServerAndNoNewOneStarts()
      throws IOException, InterruptedException {
    Process child =
        new ProcessBuilder(JavaCommand.of(List.of(), ShutdownProbeMain.class.getName(), List.of()))
            .redirectErrorStream(true)
            .start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(child.waitFor(60, TimeUnit.SECONDS), out);
    assertEquals(0, child.exitValue(), out);
    List<String> lines = out.lines().filter(l -> l.matches("(before|start|closed)=.*")).toList();
    assertEquals(List.of("before=false", "start=ShuttingDownException", "closed=true"), lines, out);
  }
}
