package io.cellar.deploy.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.client.Blob;
import io.cellar.client.IpcClient;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the images run, without Docker: the Dockerfiles' own {@code deploy/docker/jlink-runtime.sh}
 * links a runtime for each jar with this JDK's jdeps and jlink into {@code target/jlink/}, the jar
 * and its lib/ are laid out as in the image, and the image's launcher scripts run on that runtime:
 * {@code vineyardd --help}, a vineyardd serving a put and a get from the Java client, and {@code
 * vineyardctl --help} and {@code manifests}.
 *
 * <p>The vineyardd jar comes from {@code store-server/target}, built by the reactor before deploy
 * in a full build; with {@code -pl deploy -am} (which does not include store-server) this test
 * builds it once with the Maven wrapper, offline.
 */
class JlinkRuntimeIT {
  static Path repo;
  static Path target;
  static Path vineyarddRuntime;
  static Path vineyardctlRuntime;
  static Path vineyarddApp;
  static Path vineyardctlApp;

  @TempDir Path tmp;

  static Path repo() {
    return Path.of(System.getProperty("cellar.repo.root", "..")).toAbsolutePath().normalize();
  }

  static String run(Duration timeout, Map<String, String> env, List<String> command)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out;
    try (var in = p.getInputStream()) {
      out = in.readAllBytes();
    }
    if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish in " + timeout);
    }
    String text = new String(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), command + "\n" + text);
    return text;
  }

  static Path jar(Path dir, String prefix) throws IOException {
    if (!Files.isDirectory(dir)) {
      return null;
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(
              f -> f.getFileName().toString().startsWith(prefix) && f.toString().endsWith(".jar"))
          .filter(
              f -> !f.toString().endsWith("-sources.jar") && !f.toString().endsWith("-tests.jar"))
          .findFirst()
          .orElse(null);
    }
  }

  /** Lays out {@code jar} and {@code lib/} as the image does, then links the runtime. */
  static Path image(Path jar, String name, Path app, Path runtime) throws Exception {
    Files.createDirectories(app);
    Files.copy(jar, app.resolve(name + ".jar"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Path lib = Files.createDirectories(app.resolve("lib"));
    try (Stream<Path> libs = Files.list(jar.getParent().resolve("lib"))) {
      for (Path l : libs.toList()) {
        Files.copy(
            l, lib.resolve(l.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    run(
        Duration.ofMinutes(5),
        Map.of("JAVA_HOME", System.getProperty("java.home")),
        List.of(
            repo.resolve("deploy/docker/jlink-runtime.sh").toString(),
            app.resolve(name + ".jar").toString(),
            lib.toString(),
            runtime.toString()));
    return runtime;
  }

  @BeforeAll
  static void link() throws Exception {
    repo = repo();
    target = repo.resolve("deploy/target");
    Path serverJar = jar(repo.resolve("store-server/target"), "store-server-");
    if (serverJar == null || !Files.isDirectory(repo.resolve("store-server/target/lib"))) {
      run(
          Duration.ofMinutes(8),
          Map.of("JAVA_HOME", System.getProperty("java.home")),
          List.of(
              repo.resolve("mvnw").toString(),
              "-B",
              "-ntp",
              "-q",
              "-o",
              "-f",
              repo.resolve("pom.xml").toString(),
              "-pl",
              "store-server",
              "-am",
              "package",
              "-DskipTests",
              "-Dspotless.check.skip=true"));
      serverJar = jar(repo.resolve("store-server/target"), "store-server-");
    }
    Path ctlJar = jar(target, "deploy-");
    assertTrue(serverJar != null && ctlJar != null, "jars not built: " + serverJar + ", " + ctlJar);
    vineyarddApp = target.resolve("image/vineyardd/opt/cellar/vineyardd");
    vineyardctlApp = target.resolve("image/vineyardctl/opt/cellar/vineyardctl");
    vineyarddRuntime =
        image(serverJar, "store-server", vineyarddApp, target.resolve("jlink/vineyardd"));
    vineyardctlRuntime =
        image(ctlJar, "vineyardctl", vineyardctlApp, target.resolve("jlink/vineyardctl"));
  }

  static Map<String, String> env(Path runtime, Path app) {
    return Map.of("CELLAR_JAVA_HOME", runtime.toString(), "CELLAR_APP_HOME", app.toString());
  }

  @Test
  void theRuntimesAreTrimmed() throws Exception {
    for (Path runtime : List.of(vineyarddRuntime, vineyardctlRuntime)) {
      String modules =
          run(
              Duration.ofSeconds(30),
              Map.of(),
              List.of(runtime.resolve("bin/java").toString(), "--list-modules"));
      assertTrue(modules.contains("java.base@25"), modules);
      assertFalse(modules.contains("jdk.compiler"), modules);
      assertFalse(modules.contains("jdk.jlink"), modules);
    }
  }

  @Test
  void vineyarddHelpRunsOnItsRuntime() throws Exception {
    String help =
        run(
            Duration.ofSeconds(60),
            env(vineyarddRuntime, vineyarddApp),
            List.of(repo.resolve("deploy/docker/vineyardd").toString(), "--help"));
    assertTrue(help.contains("--socket"), help);
    assertTrue(help.contains("--etcd_endpoint"), help);
  }

  @Test
  void vineyarddOnItsRuntimeServesAPutAndAGet() throws Exception {
    Path socket = tmp.resolve("vineyard.sock");
    List<String> command = new ArrayList<>();
    command.add(repo.resolve("deploy/docker/vineyardd").toString());
    command.addAll(
        List.of("--socket=" + socket, "--size=64Mi", "--rpc_socket_port=0", "--meta=local"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env(vineyarddRuntime, vineyarddApp));
    Path log = tmp.resolve("vineyardd.log");
    pb.redirectOutput(log.toFile());
    Process server = pb.start();
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!Files.exists(socket)) {
        assertTrue(server.isAlive(), "vineyardd exited: " + Files.readString(log));
        assertTrue(System.nanoTime() < deadline, "no socket after 60 s: " + Files.readString(log));
        Thread.sleep(100);
      }
      byte[] payload = "hello from a jlink'd vineyardd".getBytes(StandardCharsets.UTF_8);
      long id;
      try (IpcClient writer = connect(socket, log)) {
        id = writer.putBytes(payload).id();
      }
      try (IpcClient reader = connect(socket, log)) {
        Blob blob = reader.getBlob(id);
        assertArrayEquals(payload, blob.segment().toArray(ValueLayout.JAVA_BYTE));
      }
    } finally {
      server.destroy();
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  /** The socket appears before the warm-up ends; connect once it answers. */
  static IpcClient connect(Path socket, Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        return IpcClient.connect(socket);
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("cannot connect: " + e + "\n" + Files.readString(log), e);
        }
        Thread.sleep(100);
      }
    }
  }

  @Test
  void vineyardctlRunsOnItsRuntime() throws Exception {
    Map<String, String> env = env(vineyardctlRuntime, vineyardctlApp);
    String launcher = repo.resolve("deploy/docker/vineyardctl").toString();
    String help = run(Duration.ofSeconds(60), env, List.of(launcher, "--help"));
    assertTrue(help.contains("manifests"), help);
    assertTrue(
        run(Duration.ofSeconds(60), env, List.of(launcher, "csi", "--help"))
            .contains("--endpoint"));
    String crds = run(Duration.ofSeconds(60), env, List.of(launcher, "manifests", "--crds"));
    assertTrue(
        crds.contains("name: \"vineyardds.k8s.v6d.io\""),
        crds.lines().limit(20).toList().toString());
  }
}
