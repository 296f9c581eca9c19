package io.cellar.server.warmup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The background warm-up tells a daemon that is shutting down from a real failure (a SIGTERM while
 * it runs is no news and logs no exception): {@link ThrowawayServer#jvmShuttingDown()} in a real
 * child JVM, before its exit and in its shutdown hook.
 */
class ThrowawayServerShutdownTest {
  @Test
  void aRunningJvmIsNotShuttingDown() {
    assertFalse(ThrowawayServer.jvmShuttingDown());
    assertFalse(ThrowawayServer.jvmShuttingDown(), "asking leaves no hook behind that matters");
  }

  @Test
  void aJvmInItsShutdownHooksIsShuttingDown() throws IOException, InterruptedException {
    Process child =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    ShutdownProbeMain.class.getName()))
            .redirectErrorStream(true)
            .start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(child.waitFor(60, TimeUnit.SECONDS), out);
    assertEquals(0, child.exitValue(), out);
    assertEquals(List.of("before=false", "during=true"), out.lines().toList(), out);
  }
}
