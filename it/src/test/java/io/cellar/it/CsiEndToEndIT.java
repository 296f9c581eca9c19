package io.cellar.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cellar.client.IpcClient;
import io.cellar.client.csi.CsiPaths;
import io.cellar.client.data.DataFrame;
import io.cellar.client.data.Tensor;
import io.cellar.client.data.Values;
import io.cellar.csi.VolumeId;
import io.cellar.csi.proto.ControllerPublishVolumeRequest;
import io.cellar.csi.proto.ControllerUnpublishVolumeRequest;
import io.cellar.csi.proto.CreateVolumeRequest;
import io.cellar.csi.proto.DeleteVolumeRequest;
import io.cellar.csi.proto.NodePublishVolumeRequest;
import io.cellar.csi.proto.NodeUnpublishVolumeRequest;
import io.cellar.csi.proto.VolumeCapability;
import io.cellar.protocol.CellarException;
import io.cellar.testing.daemon.DaemonCommand;
import io.cellar.testing.daemon.DaemonKind;
import io.cellar.testing.daemon.VineyarddProcess;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CSI driver end to end against Cellar's {@code bin/vineyardd} serving {@code
 * <root>/ns1/vd1/vineyard.sock}: CreateVolume, ControllerPublish, NodePublish (a real bind mount),
 * {@code vineyard.csi.write} in one Python process and {@code vineyard.csi.read} in another through
 * the mount, the Java {@link CsiPaths} API crossing languages both ways, a read-only publish that
 * really is read-only, NodeUnpublish, and a DeleteVolume that deletes exactly the objects named
 * under the volume's {@code object-prefix}. The publishing test needs root (bind mounts) and skips
 * with the reason otherwise; {@code build/venv-vineyard} is created on first use ({@link
 * PythonEnvironment}).
 */
class CsiEndToEndIT {

  private static final String NS = "ns1";
  private static final String NAME = "vd1";
  private static final VolumeCapability CAPABILITY = CsiDriver.MOUNT_RWX;

  @TempDir static Path tmp;
  private static Path socket;
  private static VineyarddProcess vineyardd;
  private static CsiDriver driver;

  @BeforeAll
  static void start() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root"));
    socket = Files.createDirectories(root.resolve(NS).resolve(NAME)).resolve("vineyard.sock");
    vineyardd = VineyarddProcess.builder(vineyarddCommand()).socket(socket).size("1G").start();
    driver = new CsiDriver(tmp.resolve("csi/csi.sock"), root);
  }

  /**
   * {@code bin/vineyardd} once the server is packaged (as in {@code verify}); else the same main
   * class from this test's class path; the reference C++ vineyardd with {@code
   * -Dcellar.it.server=reference}.
   */
  private static DaemonCommand vineyarddCommand() throws Exception {
    if (Servers.referenceRequested()) {
      return Servers.referenceCommand();
    }
    return DaemonCommand.findLauncher()
        .map(DaemonCommand::cellarLauncher)
        .orElseGet(() -> DaemonCommand.cellarMain(List.of("-Xmx192m", "-XX:+UseSerialGC")));
  }

  @AfterAll
  static void stop() throws Exception {
    CsiPaths.closeAll();
    if (driver != null) {
      driver.close();
    }
    if (vineyardd != null) {
      int status = vineyardd.stop();
      String log = vineyardd.log();
      vineyardd.close();
      if (vineyardd.kind() == DaemonKind.CELLAR) {
        assertEquals(0, status, () -> "vineyardd exited with " + status + ":\n" + log);
      }
    }
  }

  @Test
  void deleteVolumeDeletesExactlyTheObjectsNamedUnderItsPrefix() throws Exception {
    String plain = createVolume("pvc-plain", "/vineyard/data/");
    String special = createVolume("pvc-special", "/vineyard/d*ta[1]/");
    try (IpcClient client = IpcClient.connect(socket)) {
      Map<String, Long> inPlain = new LinkedHashMap<>();
      inPlain.put("/vineyard/data/a.pkl", named(client, "/vineyard/data/a.pkl", 1));
      inPlain.put("/vineyard/data/sub/b.pkl", named(client, "/vineyard/data/sub/b.pkl", 2));
      Map<String, Tensor> columns = new LinkedHashMap<>();
      columns.put("x", Tensor.of(new long[] {1, 2}));
      DataFrame frame = Values.putDataFrame(client, DataFrame.of(columns));
      client.persist(frame.id());
      client.putName(frame.id(), "/vineyard/data/frame.pkl");
      inPlain.put("/vineyard/data/frame.pkl", frame.id());
      long column = frame.column("x").id();
      Map<String, Long> inSpecial =
          Map.of("/vineyard/d*ta[1]/c.pkl", named(client, "/vineyard/d*ta[1]/c.pkl", 3));
      Map<String, Long> outside = new LinkedHashMap<>();
      // a literal prefix must not act as a pattern: an unescaped glob would match these two
      for (String name :
          List.of(
              "/vineyard/data1/x.pkl",
              "/vineyard/dXta1/x.pkl",
              "/vineyard/data",
              "/vineyard/other/d.pkl",
              "x/vineyard/data/y.pkl")) {
        outside.put(name, named(client, name, 4));
      }

      deleteVolume(special);
      assertGone(client, inSpecial);
      assertPresent(client, inPlain);
      assertPresent(client, outside);

      deleteVolume(plain);
      assertGone(client, inPlain);
      assertFalse(client.exists(column), "deep delete takes the frame's column along");
      assertPresent(client, outside);

      deleteVolume(plain); // nothing left: still succeeds
      deleteVolume(special);
      assertPresent(client, outside);
    }
  }

  @Test
  void podsWriteAndReadThroughThePublishedVolumeInBothLanguages() throws Exception {
    assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "NodePublishVolume bind-mounts (mount(2) needs root); skipped as "
            + System.getProperty("user.name"));
    PythonEnvironment python = PythonEnvironment.get();
    Path target = tmp.resolve("pod/vineyard-data");
    String volumeId = createVolume("pvc-e2e", target + "/");
    driver.controller.controllerPublishVolume(
        ControllerPublishVolumeRequest.newBuilder()
            .setVolumeId(volumeId)
            .setNodeId(CsiDriver.NODE)
            .setVolumeCapability(CAPABILITY)
            .build());
    NodePublishVolumeRequest publish =
        NodePublishVolumeRequest.newBuilder()
            .setVolumeId(volumeId)
            .setTargetPath(target.toString())
            .setVolumeCapability(CAPABILITY)
            .build();
    NodeUnpublishVolumeRequest unpublish =
        NodeUnpublishVolumeRequest.newBuilder()
            .setVolumeId(volumeId)
            .setTargetPath(target.toString())
            .build();
    String pythonPath = target.resolve("x.pkl").toString();
    String javaPath = target.resolve("j.pkl").toString();
    driver.node.nodePublishVolume(publish);
    try {
      assertTrue(Files.exists(target.resolve("vineyard.sock")), "the socket shows in the mount");
      // the writing pod: Python, then Java
      python.runScenario("csi_roundtrip.py", Map.of(), "write", pythonPath);
      Map<String, Tensor> columns = new LinkedHashMap<>();
      columns.put("x", Tensor.of(new long[] {0, 1, 2, 3}));
      columns.put("y", Tensor.of(new double[] {0, 0.25, 0.5, 0.75}));
      CsiPaths.write(DataFrame.of(columns), javaPath);
      driver.node.nodeUnpublishVolume(unpublish);
      assertFalse(Files.exists(target), "unpublish removes the target");

      // the reading pod gets the same volume at the same path, read-only
      driver.node.nodePublishVolume(publish.toBuilder().setReadonly(true).build());
      FileSystemException denied =
          assertThrows(FileSystemException.class, () -> Files.createFile(target.resolve("probe")));
      assertTrue(
          String.valueOf(denied.getReason()).contains("Read-only file system"),
          "EROFS expected, got: " + denied);
      python.runScenario("csi_roundtrip.py", Map.of(), "read", pythonPath); // another process
      python.runScenario("csi_roundtrip.py", Map.of(), "read", javaPath); // Java wrote it
      DataFrame read = (DataFrame) CsiPaths.read(pythonPath); // Python wrote it
      assertEquals(List.of("x", "y"), read.columnNames());
      assertArrayEquals(new long[] {0, 1, 2, 3}, read.column("x").toLongArray());
      assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75}, read.column("y").toDoubleArray());
    } finally {
      CsiPaths.closeAll();
      driver.node.nodeUnpublishVolume(unpublish);
    }
    assertFalse(Files.exists(target), "unpublish removes the target");
    driver.controller.controllerUnpublishVolume(
        ControllerUnpublishVolumeRequest.newBuilder()
            .setVolumeId(volumeId)
            .setNodeId(CsiDriver.NODE)
            .build());
    try (IpcClient client = IpcClient.connect(socket)) {
      Map<String, Long> written = new LinkedHashMap<>();
      written.put(pythonPath, client.getName(pythonPath, false));
      written.put(javaPath, client.getName(javaPath, false));
      deleteVolume(volumeId);
      assertGone(client, written);
    }
  }

  private static String createVolume(String name, String objectPrefix) {
    return driver
        .controller
        .createVolume(
            CreateVolumeRequest.newBuilder()
                .setName(name)
                .addVolumeCapabilities(CAPABILITY)
                .putParameters(VolumeId.NAMESPACE_KEY, NS)
                .putParameters(VolumeId.NAME_KEY, NAME)
                .putParameters(VolumeId.DELETE_OBJECTS_KEY, "true")
                .putParameters(VolumeId.OBJECT_PREFIX_KEY, objectPrefix)
                .build())
        .getVolume()
        .getVolumeId();
  }

  private static void deleteVolume(String volumeId) {
    driver.controller.deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(volumeId).build());
  }

  /** Puts a one-element tensor as a persisted object with a name, as vineyard.csi.write does. */
  private static long named(IpcClient client, String name, long value) throws IOException {
    long id = Values.putTensor(client, Tensor.of(new long[] {value})).id();
    client.persist(id);
    client.putName(id, name);
    return id;
  }

  private static void assertGone(IpcClient client, Map<String, Long> objects) throws IOException {
    for (Map.Entry<String, Long> e : objects.entrySet()) {
      assertThrows(
          CellarException.class,
          () -> client.getName(e.getKey(), false),
          "name " + e.getKey() + " should be gone");
      assertFalse(client.exists(e.getValue()), "object of " + e.getKey() + " should be gone");
    }
  }

  private static void assertPresent(IpcClient client, Map<String, Long> objects)
      throws IOException {
    for (Map.Entry<String, Long> e : objects.entrySet()) {
      assertEquals(e.getValue(), client.getName(e.getKey(), false), "name " + e.getKey());
      assertTrue(client.exists(e.getValue()), "object of " + e.getKey());
    }
  }
}
