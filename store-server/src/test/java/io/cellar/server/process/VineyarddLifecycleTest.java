package io.cellar.server.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.server.ipc.SocketFile;
import io.cellar.server.testing.StoreAvailability;
import io.cellar.server.testing.VineyarddProcess;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's command line, socket file handling and signals, each on its own process. */
class VineyarddLifecycleTest {
  @TempDir Path dir;
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private Process launch(Path log, String... flags) throws IOException {
    Process p =
        new ProcessBuilder(VineyarddProcess.command(List.of(flags)))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    started.add(p);
    return p;
  }

  private Process serve(Path socket, Path log, String... more) throws Exception {
    Assumptions.assumeTrue(StoreAvailability.built(), "store-core's Store is not built yet");
    List<String> flags = new ArrayList<>(List.of("--socket=" + socket, "--size=64M", "--norpc"));
    flags.addAll(List.of(more));
    Process p = launch(log, flags.toArray(String[]::new));
    VineyarddProcess.awaitListening(p, socket, log, Duration.ofSeconds(30));
    return p;
  }

  private static int exitOf(Process p) throws InterruptedException {
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "process exits");
    return p.exitValue();
  }

  @Test
  void unknownOrMalformedFlagsExit2NamingThem() throws Exception {
    Path log = dir.resolve("log");
    assertEquals(2, exitOf(launch(log, "--no_such_flag=1")));
    assertTrue(Files.readString(log).contains("'no_such_flag'"));
    assertEquals(2, exitOf(launch(log, "--rpc_socket_port=http")));
    assertTrue(Files.readString(log).contains("'rpc_socket_port'"));
    assertEquals(2, exitOf(launch(log, "--meta=etcd")));
    assertTrue(Files.readString(log).contains("not built yet"));
  }

  @Test
  void helpListsTheFlagsAndExits0() throws Exception {
    Path log = dir.resolve("log");
    assertEquals(0, exitOf(launch(log, "--help")));
    String help = Files.readString(log);
    for (String f :
        List.of(
            "--socket",
            "--size",
            "--rpc_socket_port",
            "--spill_path",
            "--hugepages",
            "--socket_mode",
            "--metrics_port",
            "--meta")) {
      assertTrue(help.contains(f), f);
    }
  }

  @Test
  void sigtermClosesConnectionsRemovesTheSocketAndExits0() throws Exception {
    Path socket = dir.resolve("a/b/vineyard.sock"); // parents are created
    Path log = dir.resolve("log");
    Process p = serve(socket, log);
    try (var c = Wire.connect(socket)) {
      p.destroy(); // SIGTERM
      assertEquals(0, exitOf(p), () -> VineyarddProcess.read(log));
      assertTrue(c.raw().readsEof(), "open connections are closed");
    }
    assertFalse(Files.exists(socket), "socket removed");
  }

  /**
   * The JVM's exit path after the hooks can keep the process alive for seconds, deaf to signals:
   * with a class-data archive to dump at exit (the launcher's {@code -XX:+AutoCreateSharedArchive}
   * after a rebuild) a single SIGTERM left the daemon running well after its socket was gone. The
   * daemon now leaves with {@code _exit} once everything is closed, so no archive is written.
   */
  @Test
  void sigtermExitsRightAfterTheCleanupWithoutTheJvmExitWork() throws Exception {
    Assumptions.assumeTrue(StoreAvailability.built(), "store-core's Store is not built yet");
    Path socket = dir.resolve("vineyard.sock");
    Path log = dir.resolve("log");
    Path archive = dir.resolve("exit.jsa");
    List<String> cmd =
        new ArrayList<>(
            VineyarddProcess.command(
                List.of("--socket=" + socket, "--size=64M", "--norpc", "--warmup=false")));
    cmd.add(1, "-XX:ArchiveClassesAtExit=" + archive);
    cmd.add(2, "-Xlog:cds=off");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    started.add(p);
    VineyarddProcess.awaitListening(p, socket, log, Duration.ofSeconds(30));
    try (var c = Wire.connect(socket)) {
      Wire.ok(c.call(Wire.req("instance_status_request")), "instance_status_reply");
      p.destroy(); // SIGTERM
      assertEquals(0, exitOf(p), () -> VineyarddProcess.read(log));
      assertTrue(c.raw().readsEof(), "open connections are closed");
    }
    assertFalse(Files.exists(socket), "socket removed");
    assertTrue(VineyarddProcess.read(log).contains("shutting down"), "the hooks ran");
    assertFalse(Files.exists(archive), "no JVM exit work after the hooks (archive dumped)");
  }

  /**
   * The launcher's class-data training run ({@code CELLAR_CDS_TRAINING=1}): the daemon plays its
   * warm-up, then exits by itself through the JVM's normal exit (where {@code
   * -XX:ArchiveClassesAtExit} writes the archive; that needs a class path of jars only, which the
   * launcher has and this test does not).
   */
  @Test
  void aTrainingRunWarmsUpAndExitsTheNormalWayWritingTheArchive() throws Exception {
    Assumptions.assumeTrue(StoreAvailability.built(), "store-core's Store is not built yet");
    Path socket = dir.resolve("train.sock");
    Path log = dir.resolve("train.log");
    List<String> cmd =
        VineyarddProcess.command(
            List.of("--socket=" + socket, "--size=64M", "--norpc", "--prefill_ahead=0"));
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("CELLAR_CDS_TRAINING", "1");
    Process p = pb.start();
    started.add(p);
    assertEquals(0, exitOf(p), () -> VineyarddProcess.read(log));
    assertTrue(VineyarddProcess.read(log).contains("warm-up done"), VineyarddProcess.read(log));
    assertTrue(VineyarddProcess.read(log).contains("shutting down"), "the hooks ran");
    assertFalse(Files.exists(socket), "socket removed");
  }

  @Test
  void refusesASocketAnotherServerListensOn() throws Exception {
    Path socket = dir.resolve("vineyard.sock");
    serve(socket, dir.resolve("first.log"));
    Path log = dir.resolve("second.log");
    assertEquals(1, exitOf(launch(log, "--socket=" + socket, "--size=64M", "--norpc")));
    assertTrue(Files.readString(log).contains("already in use"), Files.readString(log));
    assertTrue(SocketFile.isLive(socket), "the first server still listens");
  }

  @Test
  void replacesAStaleSocketFileAndSetsTheMode() throws Exception {
    Path socket = dir.resolve("vineyard.sock");
    try (ServerSocketChannel stale = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      stale.bind(UnixDomainSocketAddress.of(socket));
    }
    assertTrue(Files.exists(socket) && !SocketFile.isLive(socket), "a stale socket file");
    serve(socket, dir.resolve("log"), "--socket_mode=0700");
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
    try (var c = Wire.connect(socket)) {
      Wire.ok(c.call(Wire.req("instance_status_request")), "instance_status_reply");
    }
  }

  @Test
  void refusesAPathThatIsNotASocket() throws Exception {
    Assumptions.assumeTrue(StoreAvailability.built(), "store-core's Store is not built yet");
    Path file = Files.writeString(dir.resolve("not-a-socket"), "data", StandardCharsets.UTF_8);
    Path log = dir.resolve("log");
    assertEquals(1, exitOf(launch(log, "--socket=" + file, "--size=64M", "--norpc")));
    assertTrue(Files.readString(log).contains("not a UNIX-domain socket"));
    assertEquals("data", Files.readString(file));
  }
}
