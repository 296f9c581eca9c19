package io.cellar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.client.IpcClient;
import io.cellar.testing.FreePorts;
import io.cellar.testing.daemon.DaemonCommand;
import io.cellar.testing.daemon.VineyarddProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How {@code bin/vineyardd --meta=etcd} starts: with etcd unreachable and none to launch it fails
 * with a clear message after {@code --meta_timeout} and exit 1; with an endpoint that never answers
 * it launches a local etcd there (as the reference does) and stops it at exit; and the Python
 * package's {@code vineyard.deploy.local.start_vineyardd(vineyardd_path=…)} runs it with its own
 * etcd.
 */
@Timeout(300)
class ClusterStartIT {
  private static Path launcher() {
    return Path.of(System.getProperty("cellar.repo.root", ".."), "bin", "vineyardd");
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String etcdctl(String endpoint, String... args) throws Exception {
    java.util.List<String> command = new java.util.ArrayList<>();
    command.add(System.getProperty("cellar.etcdctl.cmd", "etcdctl"));
    command.add("--endpoints=" + endpoint);
    command.addAll(java.util.List.of(args));
    Path out = Files.createTempFile("cellar-etcdctl", ".out");
    try {
      ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
      b.environment().put("ETCDCTL_API", "3");
      Process p = b.redirectOutput(out.toFile()).start();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "etcdctl ran over 30 s");
      String text = Files.readString(out);
      assertEquals(0, p.exitValue(), text);
      return text;
    } finally {
      Files.deleteIfExists(out);
    }
  }

  @Test
  void etcdDownAndNotLaunchableFailsClearlyAfterTheMetaTimeout() throws Exception {
    Path dir = Files.createTempDirectory("cellar-nometa");
    Path log = dir.resolve("log");
    int port = FreePorts.next();
    long start = System.nanoTime();
    Process p =
        new ProcessBuilder(
                launcher().toString(),
                "--socket=" + dir.resolve("v.sock"),
                "--size=64M",
                "--meta=etcd",
                "--etcd_endpoint=http://127.0.0.1:" + port,
                "--etcd_cmd=" + dir.resolve("no-etcd-here"),
                "--meta_timeout=8",
                "--rpc_socket_port=" + FreePorts.next(),
                "--warmup=false")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "vineyardd did not give up");
    double seconds = (System.nanoTime() - start) / 1e9;
    String text = Files.readString(log);
    assertEquals(1, p.exitValue(), text);
    assertTrue(text.contains("cannot open the store (--meta=etcd)"), text);
    assertTrue(text.contains("etcd"), text);
    assertFalse(Files.exists(dir.resolve("v.sock")), "a socket appeared though etcd is down");
    assertTrue(seconds < 40, "took " + seconds + " s");
  }

  @Test
  void anEndpointThatNeverAnswersGetsALaunchedEtcdStoppedAtExit() throws Exception {
    int etcdPort = FreePorts.next();
    String prefix = "/launched";
    VineyarddProcess daemon =
        VineyarddProcess.builder(DaemonCommand.cellarLauncher(launcher()))
            .size("64M")
            .startTimeout(Duration.ofSeconds(90))
            .flags(
                "--meta=etcd",
                "--etcd_endpoint=http://127.0.0.1:" + etcdPort,
                "--etcd_prefix=" + prefix,
                "--warmup=false")
            .start();
    try (daemon) {
      assertTrue(accepts(etcdPort), "no etcd on the endpoint's port");
      try (IpcClient c = IpcClient.connect(daemon.socket())) {
        assertEquals(0, c.server().instanceId());
      }
      String keys =
          etcdctl("http://127.0.0.1:" + etcdPort, "get", "--prefix", prefix, "--keys-only");
      assertTrue(keys.contains(prefix + "/S0000000000000000/instances/i0/member_id"), keys);
      assertTrue(keys.contains(prefix + "/S0000000000000000/instances/i0/rpc_endpoint"), keys);
      assertEquals(0, daemon.stop(), daemon.log());
    }
    Deadline.await(
        "the launched etcd stopped with the daemon",
        Duration.ofSeconds(30),
        () -> !accepts(etcdPort));
  }

  @Test
  void startVineyarddOfThePythonPackageRunsTheLauncherOnItsOwnEtcd() throws Exception {
    String out =
        PythonEnvironment.get()
            .runScenario(
                "deploy_local.py",
                Map.of(),
                launcher().toAbsolutePath().toString(),
                Integer.toString(FreePorts.next()));
    assertTrue(out.contains("OK deploy_local"), out);
  }
}
