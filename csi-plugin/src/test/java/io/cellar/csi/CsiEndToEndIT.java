package io.cellar.csi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cellar.csi.proto.ControllerPublishVolumeRequest;
import io.cellar.csi.proto.ControllerUnpublishVolumeRequest;
import io.cellar.csi.proto.CreateVolumeRequest;
import io.cellar.csi.proto.DeleteVolumeRequest;
import io.cellar.csi.proto.NodePublishVolumeRequest;
import io.cellar.csi.proto.NodeUnpublishVolumeRequest;
import io.cellar.csi.proto.VolumeCapability;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The end-to-end path: a vineyardd serving {@code <root>/ns1/vd1/vineyard.sock};
 * CreateVolume; ControllerPublish; NodePublish to a target directory; one Python process does
 * {@code vineyard.csi.write(df, target/x.pkl)}, another reads it back through a read-only publish
 * of the same target; NodeUnpublish; DeleteVolume. Runs against Cellar's {@code bin/vineyardd} and
 * against the reference C++ vineyardd of the pinned {@code vineyard} wheel; a server or the Python
 * environment ({@code build/venv}, made by the {@code it} module) that is not there skips with the
 * reason.
 */
class CsiEndToEndIT {

  enum Server {
    CELLAR,
    REFERENCE
  }

  private static final Path REPO =
      Path.of(System.getProperty("cellar.repo.root", "..")).toAbsolutePath().normalize();
  private static final Path PYTHON = REPO.resolve("build/venv/bin/python");

  @TempDir Path tmp;

  @ParameterizedTest(name = "vineyardd: {0}")
  @EnumSource(Server.class)
  void pythonWritesAndAnotherProcessReadsThroughThePublishedVolume(Server kind) throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "bind mounts need root; skipped");
    assumeTrue(
        Files.isExecutable(PYTHON),
        "no Python environment at " + PYTHON + " (the it module creates it); skipped");
    try (DriverFixture driver = new DriverFixture(tmp.resolve("driver"), ObjectReaper.NOT_BUILT)) {
      Path cluster = Files.createDirectories(driver.socketRoot.resolve("ns1/vd1"));
      Process vineyardd = startVineyardd(kind, cluster.resolve(SocketRoot.SOCKET_NAME));
      try {
        runPipeline(driver);
      } finally {
        vineyardd.destroy();
        if (!vineyardd.waitFor(30, TimeUnit.SECONDS)) {
          vineyardd.destroyForcibly();
        }
      }
    }
  }

  private void runPipeline(DriverFixture driver) throws Exception {
    VolumeCapability capability =
        VolumeCapability.newBuilder()
            .setMount(VolumeCapability.MountVolume.getDefaultInstance())
            .setAccessMode(
                VolumeCapability.AccessMode.newBuilder()
                    .setMode(VolumeCapability.AccessMode.Mode.MULTI_NODE_MULTI_WRITER))
            .build();
    String volumeId =
        driver
            .controller
            .createVolume(
                CreateVolumeRequest.newBuilder()
                    .setName("pvc-e2e")
                    .addVolumeCapabilities(capability)
                    .putParameters(VolumeId.NAMESPACE_KEY, "ns1")
                    .putParameters(VolumeId.NAME_KEY, "vd1")
                    .build())
            .getVolume()
            .getVolumeId();
    driver.controller.controllerPublishVolume(
        ControllerPublishVolumeRequest.newBuilder()
            .setVolumeId(volumeId)
            .setNodeId(DriverFixture.NODE)
            .setVolumeCapability(capability)
            .build());
    Path target = tmp.resolve("pod/vineyard-data");
    NodePublishVolumeRequest publish =
        NodePublishVolumeRequest.newBuilder()
            .setVolumeId(volumeId)
            .setTargetPath(target.toString())
            .setVolumeCapability(capability)
            .build();
    NodeUnpublishVolumeRequest unpublish =
        NodeUnpublishVolumeRequest.newBuilder()
            .setVolumeId(volumeId)
            .setTargetPath(target.toString())
            .build();
    String path = target.resolve("x.pkl").toString();
    driver.node.nodePublishVolume(publish);
    try {
      python(
          "import sys, pandas as pd, vineyard.csi\n"
              + "df = pd.DataFrame({'a': [1, 2, 3], 'b': [0.5, 1.5, 2.5]})\n"
              + "vineyard.csi.write(df, sys.argv[1])\n",
          path);
      driver.node.nodeUnpublishVolume(unpublish);
      assertFalse(Files.exists(target));
      // the reading pod gets the same volume at the same path, read-only
      driver.node.nodePublishVolume(publish.toBuilder().setReadonly(true).build());
      String read =
          python(
              "import sys, vineyard.csi\n"
                  + "df = vineyard.csi.read(sys.argv[1])\n"
                  + "print(df['a'].tolist(), df['b'].tolist())\n",
              path);
      assertEquals(
          "[1, 2, 3] [0.5, 1.5, 2.5]", read.strip().lines().reduce((a, b) -> b).orElse(""));
    } finally {
      driver.node.nodeUnpublishVolume(unpublish);
    }
    assertFalse(Files.exists(target));
    driver.controller.controllerUnpublishVolume(
        ControllerUnpublishVolumeRequest.newBuilder()
            .setVolumeId(volumeId)
            .setNodeId(DriverFixture.NODE)
            .build());
    driver.controller.deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(volumeId).build());
  }

  private Process startVineyardd(Server kind, Path socket) throws Exception {
    List<String> command = new ArrayList<>();
    if (kind == Server.CELLAR) {
      Path launcher = REPO.resolve("bin/vineyardd");
      assumeTrue(Files.isExecutable(launcher), "no " + launcher + "; skipped");
      command.add(launcher.toString());
    } else {
      Path reference;
      try (var versions = Files.list(REPO.resolve("build/venv/lib"))) {
        reference =
            versions
                .map(v -> v.resolve("site-packages/vineyard/bdist/vineyardd"))
                .filter(Files::isExecutable)
                .findFirst()
                .orElse(null);
      }
      assumeTrue(reference != null, "the vineyard wheel ships no vineyardd here; skipped");
      command.add(reference.toString());
    }
    int rpcPort;
    try (ServerSocket probe = new ServerSocket(0)) {
      rpcPort = probe.getLocalPort();
    }
    command.addAll(
        List.of(
            "--socket=" + socket, "--size=256Mi", "--meta=local", "--rpc_socket_port=" + rpcPort));
    Path log = tmp.resolve("vineyardd-" + kind + ".log");
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!accepts(socket)) { // readiness of another process: poll its socket
      if (!process.isAlive()) {
        String output = Files.readString(log);
        assumeFalse(
            kind == Server.CELLAR && output.contains("not built yet"),
            "Cellar's vineyardd cannot serve yet: " + output.strip());
        fail(kind + " vineyardd exited with " + process.exitValue() + ":\n" + output);
      }
      if (System.nanoTime() > deadline) {
        process.destroyForcibly();
        fail(
            kind
                + " vineyardd did not accept on "
                + socket
                + " in 60 s:\n"
                + Files.readString(log));
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    return process;
  }

  private static boolean accepts(Path socket) {
    if (!Files.exists(socket)) {
      return false;
    }
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      return channel.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      return false;
    }
  }

  private String python(String script, String path) throws Exception {
    Path output = Files.createTempFile(tmp, "python", ".log");
    Process process =
        new ProcessBuilder(PYTHON.toString(), "-c", script, path)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("python did not finish in 120 s:\n" + Files.readString(output));
    }
    String text = Files.readString(output);
    assertEquals(0, process.exitValue(), "python failed:\n" + text);
    return text;
  }
}
