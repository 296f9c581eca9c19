package io.cellar.bench.client;

import io.cellar.testing.daemon.DaemonCommand;
import io.cellar.testing.daemon.VineyarddProcess;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Starts Cellar's {@code bin/vineyardd} for one benchmark trial through test-support's one daemon
 * harness ({@link VineyarddProcess}: a temporary socket, RPC on a free port of 127.0.0.1, ready
 * once both accept; closing stops it and removes its directory).
 *
 * <p>The script is {@code $CELLAR_VINEYARDD} if set, else {@code bin/vineyardd} of the packaged
 * checkout in the working directory or one of its parents ({@code bench/run} runs JMH from the
 * repository root). {@code $CELLAR_SERVER_ARGS} adds flags (space-separated), for example {@code
 * --busy_poll_us=50}.
 *
 * <p>Stateless and thread-safe.
 */
public final class BenchDaemons {
  private BenchDaemons() {}

  /**
   * Starts a server and waits (60 s at most) until it accepts on its socket and its port.
   *
   * @param size the {@code --size} value, for example {@code 2G}
   * @return the running server, owned by the caller
   * @throws IOException when it cannot start or exits early (the message holds its log)
   */
  public static VineyarddProcess start(String size) throws IOException {
    Path script =
        DaemonCommand.findLauncher()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no packaged bin/vineyardd from "
                            + Path.of("").toAbsolutePath()
                            + "; build with ./mvnw -B -ntp package -DskipTests or set"
                            + " CELLAR_VINEYARDD"));
    VineyarddProcess.Builder builder =
        VineyarddProcess.builder(DaemonCommand.cellarLauncher(script)).size(size);
    String extra = System.getenv("CELLAR_SERVER_ARGS");
    if (extra != null && !extra.isBlank()) {
      builder.flags(extra.trim().split("\\s+"));
    }
    return builder.start();
  }
}
