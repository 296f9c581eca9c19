package io.cellar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cellar.testing.daemon.DaemonCommand;
import io.cellar.testing.daemon.VineyarddProcess;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --htpasswd} with the real Python client ({@code vineyard.connect(..., username=...,
 * password=...)}): a wrong password, an unknown user and no credentials are refused over RPC and
 * IPC (IPC shows the reply's code: {@code ConnectionErrorException}, code 34), the right ones
 * connect and put and get. The same script gives the same lines on the reference (which runs
 * Apache's {@code htpasswd -v}; that run is skipped where the tool is not installed). The database
 * was written by Apache's {@code htpasswd} 2.4.71 ({@code -B}, {@code -m}, {@code -s}).
 */
class HtpasswdIT {
  private static final List<String> EXPECTED =
      List.of(
          "refused rpc-wrong-password ConnectionError",
          "refused rpc-unknown-user ConnectionError",
          "refused rpc-none ConnectionError",
          "refused ipc-wrong-password ConnectionErrorException",
          "refused ipc-none ConnectionErrorException",
          "ok rpc-right",
          "ok rpc-roundtrip",
          "ok ipc-right");

  @TempDir Path dir;

  private Path database() throws Exception {
    Path file = dir.resolve("htpasswd");
    try (InputStream in = getClass().getResourceAsStream("htpasswd")) {
      Files.copy(in, file);
    }
    return file;
  }

  private static List<String> run(VineyarddProcess d, String user, String password)
      throws Exception {
    String out =
        PythonEnvironment.get()
            .runScenario(
                "htpasswd_connect.py",
                Map.of(),
                d.socket().toString(),
                "127.0.0.1",
                Integer.toString(d.rpcPort()),
                user,
                password);
    return out.lines()
        .filter(l -> l.startsWith("ok ") || l.startsWith("refused "))
        .map(l -> String.join(" ", List.of(l.split(" ")).subList(0, l.startsWith("ok") ? 2 : 3)))
        .collect(Collectors.toList());
  }

  @Test
  void cellarChecksEveryRegistrationAgainstTheDatabase() throws Exception {
    Path db = database();
    try (VineyarddProcess d =
        VineyarddProcess.builder(DaemonCommand.cellarMain(Servers.JVM_OPTIONS))
            .size("256M")
            .flags("--nowarmup", "--htpasswd=" + db)
            .start()) {
      assertEquals(EXPECTED, run(d, "alice", "wonder land"), "bcrypt (htpasswd -B)");
      assertEquals(EXPECTED, run(d, "bob", "b0b!"), "apr1 MD5 (htpasswd -m)");
    }
  }

  @Test
  void theReferenceAnswersTheSame() throws Exception {
    Assumptions.assumeTrue(
        new ProcessBuilder("sh", "-c", "command -v htpasswd").start().waitFor() == 0,
        "the reference needs Apache's htpasswd (apache2-utils)");
    Path db = database();
    try (VineyarddProcess d =
        VineyarddProcess.builder(Servers.referenceCommand())
            .size("256M")
            .flags("--htpasswd=" + db)
            .start()) {
      assertEquals(EXPECTED, run(d, "alice", "wonder land"));
    }
  }
}
