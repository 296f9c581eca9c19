package io.cellar.server.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.protocol.VineyardVersion;
import io.cellar.server.testing.RawWireClient;
import io.cellar.testing.daemon.VineyarddProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command lines others pass to vineyardd, on the real daemon process: the operator's {@code
 * --sync_crds true}, glog's flags, {@code --version}, fixed-point sizes, {@code --prometheus}; the
 * clear errors for sizes that cannot be served; and a second daemon on an RPC port in use.
 */
class DropInCommandLineIT {
  @TempDir Path dir;
  private final List<Process> started = new ArrayList<>();
  private final List<VineyarddProcess> served = new ArrayList<>();

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    for (VineyarddProcess d : served) {
      d.close();
    }
  }

  private Process launch(Path log, String... flags) throws IOException {
    Process p =
        new ProcessBuilder(TestDaemons.command().command(List.of(flags)))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    started.add(p);
    return p;
  }

  private VineyarddProcess serve(VineyarddProcess.Builder b) throws IOException {
    VineyarddProcess d = b.start();
    served.add(d);
    return d;
  }

  private static int exitOf(Process p) throws InterruptedException {
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "process exits");
    return p.exitValue();
  }

  @Test
  void theOperatorsCommandLineStartsAndAFixedPointSizeIsHonoured() throws Exception {
    VineyarddProcess d =
        serve(
            VineyarddProcess.builder(TestDaemons.command())
                .size("1.5G")
                .rpc(false)
                .flags(
                    "--nowarmup", "--sync_crds", "true", "-reserve_memory=false", "--nohugepages"));
    try (var c = Wire.connect(d.socket())) {
      var status = Wire.ok(c.call(Wire.req("instance_status_request")), "instance_status_reply");
      assertEquals(3L << 29, status.path("meta").path("memory_limit").asLong(), status::toString);
    }
  }

  @Test
  void versionPrintsTheOneVersionAndExits0() throws Exception {
    Path log = dir.resolve("log");
    assertEquals(0, exitOf(launch(log, "--version")));
    assertEquals(
        "vineyardd version " + VineyardVersion.VALUE,
        Files.readString(log, StandardCharsets.UTF_8).strip());
  }

  @Test
  void logDirGetsTheLogAsGlogNamesItAndMinloglevelSilencesInfo() throws Exception {
    Path logs = dir.resolve("logs");
    VineyarddProcess d =
        serve(
            VineyarddProcess.builder(TestDaemons.command())
                .size("64M")
                .rpc(false)
                .flags("--nowarmup", "--log_dir=" + logs));
    Path link = logs.resolve("vineyard.INFO");
    assertTrue(Files.isSymbolicLink(link), "the vineyard.INFO link");
    assertEquals(0, d.stop());
    String file = Files.readString(link);
    assertTrue(file.contains("Vineyard will listen on"), file);
    assertTrue(file.contains("shutting down"), file);
    assertTrue(
        Files.readSymbolicLink(link)
            .toString()
            .matches("vineyard\\..+\\.log\\.INFO\\.\\d{8}-\\d{6}\\.\\d+"),
        Files.readSymbolicLink(link)::toString);
    assertTrue(d.log().contains("Vineyard will listen on"), "stderr still gets it");

    VineyarddProcess quiet =
        serve(
            VineyarddProcess.builder(TestDaemons.command())
                .size("64M")
                .rpc(false)
                .flags("--nowarmup", "--minloglevel=1"));
    assertEquals(0, quiet.stop());
    assertFalse(quiet.log().contains(" INFO "), quiet::log);
  }

  @Test
  void prometheusLogsAMetricLinePerDataRequest() throws Exception {
    VineyarddProcess d =
        serve(
            VineyarddProcess.builder(TestDaemons.command())
                .size("64M")
                .rpc(false)
                .flags("--nowarmup", "--prometheus"));
    try (var c = Wire.connect(d.socket())) {
      var blob = Wire.putBlob(c, new byte[] {1, 2, 3});
      long id = Wire.putObject(c, blob.objectId(), 3);
      Wire.ok(
          c.call(
              Wire.req("get_data_request")
                  .put("wait", false)
                  .set("id", RawWireClient.JSON.createArrayNode().add(id))),
          "get_data_reply");
    }
    assertEquals(0, d.stop());
    String log = d.log();
    assertTrue(log.contains(" instances_memory_usage_bytes "), log);
    assertTrue(log.contains(" create data_requests_total 1"), log);
    assertTrue(log.contains(" get data_requests_total 1"), log);
    assertTrue(log.contains(" get data_request_duration_microseconds "), log);
  }

  @Test
  void aSizeNoMachineCanMapIsAClearError() throws Exception {
    Path log = dir.resolve("log");
    assertEquals(
        1,
        exitOf(
            launch(
                log,
                "--socket=" + dir.resolve("s.sock"),
                "--size=100P",
                "--norpc",
                "--nowarmup",
                "--prefill_ahead=0")));
    String text = Files.readString(log);
    assertTrue(text.contains("cannot reserve 100.0 PiB"), text);
    assertTrue(text.contains("give a smaller --size"), text);
    assertFalse(text.contains("mmap(length="), text);
  }

  @Test
  void aNegativeSizeSaysSo() throws Exception {
    Path log = dir.resolve("log");
    assertEquals(2, exitOf(launch(log, "--size=-1", "--norpc")));
    String text = Files.readString(log);
    assertTrue(text.contains("'-1'") && text.contains("negative"), text);
    assertFalse(text.contains("no number"), text);
  }

  @Test
  void aSecondDaemonOnAnRpcPortInUseRefusesToStartNamingThePort() throws Exception {
    VineyarddProcess first =
        serve(VineyarddProcess.builder(TestDaemons.command()).size("64M").flags("--nowarmup"));
    int port = first.rpcPort();
    Path log = dir.resolve("second.log");
    Process second =
        launch(
            log,
            "--socket=" + dir.resolve("second.sock"),
            "--size=64M",
            "--nowarmup",
            "--rpc_host=127.0.0.1",
            "--rpc_socket_port=" + port);
    assertEquals(1, exitOf(second));
    String text = Files.readString(log);
    assertTrue(text.contains("port " + port + " is already in use"), text);
    assertFalse(Files.exists(dir.resolve("second.sock")), "the second never listened");
    assertTrue(first.accepts(), "the first still serves");
  }
}
