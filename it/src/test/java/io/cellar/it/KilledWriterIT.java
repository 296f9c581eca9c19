package io.cellar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.client.IpcClient;
import io.cellar.testing.JavaCommand;
import io.cellar.testing.daemon.DaemonKind;
import io.cellar.testing.daemon.VineyarddExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A writer process killed with SIGKILL in the middle of writing: the unsealed blob it left is
 * reclaimed by the server (Cellar does better than the reference here, which leaks it), visible as
 * {@code instance_status} memory usage going back down.
 */
@Timeout(120)
class KilledWriterIT {
  private static final long SIZE = 64L << 20;

  @RegisterExtension static final VineyarddExtension SERVER = Servers.cellar("512M");

  @Test
  void anUnsealedBlobOfAKilledWriterIsReclaimed() throws Exception {
    Assumptions.assumeTrue(
        SERVER.kind() == DaemonKind.CELLAR, "the reference server never reclaims them");
    try (IpcClient observer = IpcClient.connect(SERVER.socket())) {
      long baseline = observer.instanceStatus().memoryUsage();
      Process writer =
          new ProcessBuilder(
                  JavaCommand.of(
                      List.of(),
                      PartialBlobWriter.class.getName(),
                      List.of(SERVER.socket().toString(), Long.toString(SIZE))))
              .redirectErrorStream(true)
              .start();
      try {
        BufferedReader out =
            new BufferedReader(
                new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertTrue(line != null && line.startsWith("WRITING"), "writer said: " + line);
        long during = observer.instanceStatus().memoryUsage();
        assertTrue(during >= baseline + SIZE, "usage " + during + " holds the unsealed blob");
        assertEquals(2, observer.instanceStatus().ipcConnections(), "observer and writer");
        writer.destroyForcibly(); // SIGKILL: no exit_request, no cleanup in the writer
        assertTrue(writer.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, writer.exitValue(), "killed by SIGKILL");
        Deadline.await(
            "the killed writer's blob to be reclaimed",
            Duration.ofSeconds(30),
            () -> observer.instanceStatus().memoryUsage() <= baseline);
        assertEquals(1, observer.instanceStatus().ipcConnections());
      } finally {
        writer.destroyForcibly();
      }
    }
  }
}
