package io.cellar.server.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.server.ipc.SocketFile;
import io.cellar.testing.daemon.DaemonCommand;
import io.cellar.testing.daemon.VineyarddProcess;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's command line, socket file handling and signals, each on its own process. */
class VineyarddLifecycleIT {
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

  /** Launches the daemon with exactly these flags, for the cases that must not start. */
  private Process launch(Path log, String... flags) throws IOException {
    return launch(TestDaemons.command().command(List.of(flags)), log);
  }

  private Process launch(List<String> command, Path log) throws IOException {
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    started.add(p);
    return p;
  }

  /** Starts a daemon on a socket through the harness and waits until it accepts. */
  private VineyarddProcess serve(Path socket, String... more) throws IOException {
    VineyarddProcess d =
        TestDaemons.builder().socket(socket).size("64M").rpc(false).flags(more).start();
    served.add(d);
    return d;
  }

  private static int exitOf(Process p) throws InterruptedException {
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "process exits");
    return p.exitValue();
  }

  private static String read(Path log) {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Test
  void unknownOrMalformedFlagsExit2NamingThem() throws Exception {
    Path log = dir.resolve("log");
    assertEquals(2, exitOf(launch(log, "--no_such_flag=1")));
    assertTrue(Files.readString(log).contains("'no_such_flag'"));
    assertEquals(2, exitOf(launch(log, "--rpc_socket_port=http")));
    assertTrue(Files.readString(log).contains("'rpc_socket_port'"));
    assertEquals(2, exitOf(launch(log, "--meta=redis")));
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
    VineyarddProcess d = serve(socket);
    try (var c = Wire.connect(socket)) {
      assertEquals(0, d.stop(), d::log); // SIGTERM
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
    Path socket = dir.resolve("vineyard.sock");
    Path archive = dir.resolve("exit.jsa");
    List<String> jvm = new ArrayList<>(TestDaemons.JVM_OPTIONS);
    jvm.add("-XX:ArchiveClassesAtExit=" + archive);
    jvm.add("-Xlog:cds=off");
    VineyarddProcess d =
        VineyarddProcess.builder(DaemonCommand.cellarMain(jvm))
            .socket(socket)
            .size("64M")
            .rpc(false)
            .flags("--warmup=false")
            .start();
    served.add(d);
    try (var c = Wire.connect(socket)) {
      Wire.ok(c.call(Wire.req("instance_status_request")), "instance_status_reply");
      assertEquals(0, d.stop(), d::log); // SIGTERM
      assertTrue(c.raw().readsEof(), "open connections are closed");
    }
    assertFalse(Files.exists(socket), "socket removed");
    assertTrue(d.log().contains("shutting down"), "the hooks ran");
    assertFalse(Files.exists(archive), "no JVM exit work after the hooks (archive dumped)");
  }

  /**
   * The launcher's class-data training run ({@code CELLAR_CDS_TRAINING=1}): the daemon warms up and
   * starts, then exits by itself through the JVM's normal exit (where {@code
   * -XX:ArchiveClassesAtExit} writes the archive; that needs a class path of jars only, which the
   * launcher has and this test does not).
   */
  @Test
  void aTrainingRunWarmsUpAndExitsTheNormalWayWritingTheArchive() throws Exception {
    Path socket = dir.resolve("train.sock");
    Path log = dir.resolve("train.log");
    List<String> cmd =
        TestDaemons.command()
            .command(List.of("--socket=" + socket, "--size=64M", "--norpc", "--prefill_ahead=0"));
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("CELLAR_CDS_TRAINING", "1");
    Process p = pb.start();
    started.add(p);
    assertEquals(0, exitOf(p), () -> read(log));
    assertTrue(read(log).contains("warm-up done"), read(log));
    assertTrue(read(log).contains("shutting down"), "the hooks ran");
    assertFalse(Files.exists(socket), "socket removed");
  }

  /**
   * A signal during the warm-up (before anything listens) ends the daemon the JVM's default way,
   * and the warm-up's private directory goes with it.
   */
  @Test
  void aSignalDuringTheWarmUpLeavesNoPrivateDirectory() throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Path socket = dir.resolve("vineyard.sock");
    List<String> jvm = new ArrayList<>(TestDaemons.JVM_OPTIONS);
    jvm.add("-Djava.io.tmpdir=" + tmp);
    Process p =
        launch(
            DaemonCommand.cellarMain(jvm)
                .command(List.of("--socket=" + socket, "--size=64M", "--norpc")),
            dir.resolve("log"));
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (warmupDirectories(tmp) == 0 && p.isAlive() && System.nanoTime() < end) {
      Thread.onSpinWait();
    }
    assertEquals(1, warmupDirectories(tmp), "the warm-up made its private directory");
    p.destroy(); // SIGTERM
    assertEquals(143, exitOf(p), () -> read(dir.resolve("log")));
    assertEquals(0, warmupDirectories(tmp), "and it is gone");
    assertFalse(Files.exists(socket), "nothing ever listened");
  }

  private static long warmupDirectories(Path tmp) throws IOException {
    try (var files = Files.list(tmp)) {
      return files.filter(f -> f.getFileName().toString().startsWith("cellar-warmup-")).count();
    }
  }

  @Test
  void refusesASocketAnotherServerListensOn() throws Exception {
    Path socket = dir.resolve("vineyard.sock");
    serve(socket);
    Path log = dir.resolve("second.log");
    long started = System.nanoTime();
    assertEquals(1, exitOf(launch(log, "--socket=" + socket, "--size=64M", "--norpc")));
    assertTrue(Files.readString(log).contains("already in use"), Files.readString(log));
    assertFalse(read(log).contains("warm-up"), "refused before any warm-up: " + read(log));
    assertTrue(SocketFile.isLive(socket), "the first server still listens");
    assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(30));
  }

  @Test
  void replacesAStaleSocketFileAndSetsTheMode() throws Exception {
    Path socket = dir.resolve("vineyard.sock");
    try (ServerSocketChannel stale = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      stale.bind(UnixDomainSocketAddress.of(socket));
    }
    assertTrue(Files.exists(socket) && !SocketFile.isLive(socket), "a stale socket file");
    serve(socket, "--socket_mode=0700");
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
    try (var c = Wire.connect(socket)) {
      Wire.ok(c.call(Wire.req("instance_status_request")), "instance_status_reply");
    }
  }

  @Test
  void refusesAPathThatIsNotASocket() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-socket"), "data", StandardCharsets.UTF_8);
    Path log = dir.resolve("log");
    assertEquals(1, exitOf(launch(log, "--socket=" + file, "--size=64M", "--norpc")));
    assertTrue(Files.readString(log).contains("not a UNIX-domain socket"));
    assertEquals("data", Files.readString(file));
  }
}
