package io.cellar.csi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cellar.csi.proto.ControllerGetCapabilitiesRequest;
import io.cellar.csi.proto.ControllerPublishVolumeRequest;
import io.cellar.csi.proto.ControllerServiceCapability;
import io.cellar.csi.proto.CreateVolumeRequest;
import io.cellar.csi.proto.DeleteVolumeRequest;
import io.cellar.csi.proto.GetPluginCapabilitiesRequest;
import io.cellar.csi.proto.GetPluginInfoRequest;
import io.cellar.csi.proto.GetPluginInfoResponse;
import io.cellar.csi.proto.NodeGetInfoRequest;
import io.cellar.csi.proto.NodeGetInfoResponse;
import io.cellar.csi.proto.NodePublishVolumeRequest;
import io.cellar.csi.proto.NodeUnpublishVolumeRequest;
import io.cellar.csi.proto.PluginCapability;
import io.cellar.csi.proto.ProbeRequest;
import io.cellar.csi.proto.Topology;
import io.cellar.csi.proto.TopologyRequirement;
import io.cellar.csi.proto.ValidateVolumeCapabilitiesRequest;
import io.cellar.csi.proto.Volume;
import io.cellar.csi.proto.VolumeCapability;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The three services over a real UNIX socket; the Node tests do real bind mounts as root. */
class CsiServicesTest {

  private static final String NS = "vineyard-system";
  private static final String NAME = "vineyardd-sample";
  private static final Map<String, String> PARAMS =
      Map.of(VolumeId.NAMESPACE_KEY, NS, VolumeId.NAME_KEY, NAME);
  private static final VolumeCapability MOUNT_RW =
      capability(VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER);

  @TempDir Path tmp;
  private DriverFixture driver;
  private final List<VolumeId> reaped = new ArrayList<>();
  private final List<Path> targets = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    driver = new DriverFixture(tmp, reaped::add);
  }

  @AfterEach
  void stop() throws IOException {
    BindMounter mounter = new BindMounter();
    for (Path target : targets) { // leave no mount behind, even when a test failed
      while (mounter.mountAt(target).isPresent()) {
        mounter.unmount(target);
      }
    }
    driver.close();
  }

  // ---- Identity ----

  @Test
  void identityReportsNameVersionAndCapabilities() {
    GetPluginInfoResponse info =
        driver.identity.getPluginInfo(GetPluginInfoRequest.getDefaultInstance());
    assertEquals("csi.vineyard.v6d.io", info.getName());
    assertEquals(
        System.getProperty("project.version", CsiServer.version()), info.getVendorVersion());
    assertFalse(info.getVendorVersion().isEmpty());
    assertFalse(info.getVendorVersion().equals("unknown"));
    List<PluginCapability.Service.Type> types =
        driver
            .identity
            .getPluginCapabilities(GetPluginCapabilitiesRequest.getDefaultInstance())
            .getCapabilitiesList()
            .stream()
            .map(c -> c.getService().getType())
            .toList();
    assertEquals(
        List.of(
            PluginCapability.Service.Type.CONTROLLER_SERVICE,
            PluginCapability.Service.Type.VOLUME_ACCESSIBILITY_CONSTRAINTS),
        types);
  }

  @Test
  void probeIsReadyOnlyWhileTheSocketRootExists() throws IOException {
    assertTrue(driver.identity.probe(ProbeRequest.getDefaultInstance()).getReady().getValue());
    Files.delete(driver.socketRoot);
    assertTrue(driver.identity.probe(ProbeRequest.getDefaultInstance()).hasReady());
    assertFalse(driver.identity.probe(ProbeRequest.getDefaultInstance()).getReady().getValue());
  }

  // ---- Controller ----

  @Test
  void createVolumeIsIdempotentAndReturnsContextAndTopology() {
    CreateVolumeRequest request =
        CreateVolumeRequest.newBuilder()
            .setName("pvc-1")
            .addVolumeCapabilities(MOUNT_RW)
            .putAllParameters(PARAMS)
            .putParameters("csi.storage.k8s.io/pvc/name", "data")
            .setAccessibilityRequirements(
                TopologyRequirement.newBuilder()
                    .addRequisite(host("node-2"))
                    .addPreferred(
                        Topology.newBuilder()
                            .putSegments(ControllerService.TOPOLOGY_KEY, "node-3")
                            .putSegments("zone", "z1")))
            .build();
    Volume first = driver.controller.createVolume(request).getVolume();
    Volume again = driver.controller.createVolume(request).getVolume();
    assertEquals(first, again);
    assertEquals(
        Optional.of(
            new VolumeId(
                NS,
                NAME,
                Optional.empty(),
                VolumeId.decode(first.getVolumeId()).orElseThrow().unique())),
        VolumeId.decode(first.getVolumeId()));
    assertEquals(NS, first.getVolumeContextMap().get(VolumeId.NAMESPACE_KEY));
    assertEquals(NAME, first.getVolumeContextMap().get(VolumeId.NAME_KEY));
    assertEquals("data", first.getVolumeContextMap().get("csi.storage.k8s.io/pvc/name"));
    assertEquals(List.of(host("node-3")), first.getAccessibleTopologyList());
    String other =
        driver
            .controller
            .createVolume(request.toBuilder().setName("pvc-2").build())
            .getVolume()
            .getVolumeId();
    assertFalse(other.equals(first.getVolumeId()));
  }

  @Test
  void createVolumeRejectsBadRequests() {
    CreateVolumeRequest good =
        CreateVolumeRequest.newBuilder()
            .setName("pvc")
            .addVolumeCapabilities(MOUNT_RW)
            .putAllParameters(PARAMS)
            .build();
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () -> driver.controller.createVolume(good.toBuilder().setName("").build()));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () -> driver.controller.createVolume(good.toBuilder().clearVolumeCapabilities().build()));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () ->
            driver.controller.createVolume(
                good.toBuilder().removeParameters(VolumeId.NAME_KEY).build()));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () ->
            driver.controller.createVolume(
                good.toBuilder().putParameters(VolumeId.NAMESPACE_KEY, "../..").build()));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () ->
            driver.controller.createVolume(
                good.toBuilder()
                    .clearVolumeCapabilities()
                    .addVolumeCapabilities(
                        VolumeCapability.newBuilder()
                            .setBlock(VolumeCapability.BlockVolume.getDefaultInstance())
                            .setAccessMode(MOUNT_RW.getAccessMode()))
                    .build()));
  }

  @Test
  void controllerCapabilitiesAreCreateDeleteAndPublish() {
    List<ControllerServiceCapability.RPC.Type> types =
        driver
            .controller
            .controllerGetCapabilities(ControllerGetCapabilitiesRequest.getDefaultInstance())
            .getCapabilitiesList()
            .stream()
            .map(c -> c.getRpc().getType())
            .toList();
    assertEquals(
        List.of(
            ControllerServiceCapability.RPC.Type.CREATE_DELETE_VOLUME,
            ControllerServiceCapability.RPC.Type.PUBLISH_UNPUBLISH_VOLUME),
        types);
  }

  @Test
  void unknownVolumesAreNotFoundAndDeletingThemSucceeds() {
    assertCode(
        Status.Code.NOT_FOUND,
        () ->
            driver.controller.validateVolumeCapabilities(
                ValidateVolumeCapabilitiesRequest.newBuilder()
                    .setVolumeId("fake-vol")
                    .addVolumeCapabilities(MOUNT_RW)
                    .build()));
    assertCode(
        Status.Code.NOT_FOUND,
        () ->
            driver.controller.controllerPublishVolume(
                ControllerPublishVolumeRequest.newBuilder()
                    .setVolumeId("fake-vol")
                    .setNodeId(DriverFixture.NODE)
                    .setVolumeCapability(MOUNT_RW)
                    .build()));
    driver.controller.deleteVolume(
        DeleteVolumeRequest.newBuilder().setVolumeId("fake-vol").build());
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () -> driver.controller.deleteVolume(DeleteVolumeRequest.getDefaultInstance()));
  }

  @Test
  void publishToAnUnknownNodeIsNotFound() {
    String id = create("pvc-n", PARAMS).getVolumeId();
    ControllerPublishVolumeRequest request =
        ControllerPublishVolumeRequest.newBuilder()
            .setVolumeId(id)
            .setNodeId(DriverFixture.NODE)
            .setVolumeCapability(MOUNT_RW)
            .build();
    assertTrue(driver.controller.controllerPublishVolume(request).getPublishContextMap().isEmpty());
    assertCode(
        Status.Code.NOT_FOUND,
        () ->
            driver.controller.controllerPublishVolume(
                request.toBuilder().setNodeId("node-9").build()));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () -> driver.controller.controllerPublishVolume(request.toBuilder().clearNodeId().build()));
  }

  @Test
  void validateConfirmsMountAndRefusesBlockOrAnotherCluster() {
    Volume volume = create("pvc-v", PARAMS);
    ValidateVolumeCapabilitiesRequest request =
        ValidateVolumeCapabilitiesRequest.newBuilder()
            .setVolumeId(volume.getVolumeId())
            .putAllVolumeContext(volume.getVolumeContextMap())
            .addVolumeCapabilities(MOUNT_RW)
            .build();
    assertTrue(driver.controller.validateVolumeCapabilities(request).hasConfirmed());
    var block =
        driver.controller.validateVolumeCapabilities(
            request.toBuilder()
                .setVolumeCapabilities(
                    0,
                    MOUNT_RW.toBuilder()
                        .setBlock(VolumeCapability.BlockVolume.getDefaultInstance()))
                .build());
    assertFalse(block.hasConfirmed());
    assertTrue(block.getMessage().contains("block"), block.getMessage());
    var other =
        driver.controller.validateVolumeCapabilities(
            request.toBuilder().putVolumeContext(VolumeId.NAME_KEY, "another").build());
    assertFalse(other.hasConfirmed());
  }

  @Test
  void deleteObjectsVolumesGoThroughTheReaperAndOthersDoNot() {
    String keep = create("pvc-keep", PARAMS).getVolumeId();
    Map<String, String> deleting = new java.util.HashMap<>(PARAMS);
    deleting.put(VolumeId.DELETE_OBJECTS_KEY, "true");
    deleting.put(VolumeId.OBJECT_PREFIX_KEY, "/vineyard/data/");
    String delete = create("pvc-delete", deleting).getVolumeId();
    driver.controller.deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(keep).build());
    assertEquals(List.of(), reaped);
    driver.controller.deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(delete).build());
    assertEquals(List.of(VolumeId.decode(delete).orElseThrow()), reaped);
    assertEquals(Optional.of("/vineyard/data/"), reaped.getFirst().objectPrefix());
  }

  @Test
  void deleteObjectsNeedsAnObjectPrefixThatFitsTheId() {
    Map<String, String> deleting = new java.util.HashMap<>(PARAMS);
    deleting.put(VolumeId.DELETE_OBJECTS_KEY, "true");
    StatusRuntimeException missing =
        assertThrows(StatusRuntimeException.class, () -> create("pvc-np", deleting));
    assertEquals(Status.Code.INVALID_ARGUMENT, missing.getStatus().getCode());
    assertTrue(
        missing.getStatus().getDescription().contains(VolumeId.OBJECT_PREFIX_KEY),
        missing.getStatus().getDescription());
    deleting.put(VolumeId.OBJECT_PREFIX_KEY, "/vineyard/" + "d".repeat(80) + "/");
    StatusRuntimeException tooLong =
        assertThrows(StatusRuntimeException.class, () -> create("pvc-long", deleting));
    assertEquals(Status.Code.INVALID_ARGUMENT, tooLong.getStatus().getCode());
    assertTrue(
        tooLong.getStatus().getDescription().contains("too long"),
        tooLong.getStatus().getDescription());
  }

  @Test
  void deleteObjectsWithoutAReachableVineyarddIsUnavailableAndKeepsTheVolume() throws IOException {
    try (DriverFixture real =
        new DriverFixture(tmp.resolve("real"), new IpcObjectReaper(tmp.resolve("real/root")))) {
      Map<String, String> deleting = new java.util.HashMap<>(PARAMS);
      deleting.put(VolumeId.DELETE_OBJECTS_KEY, "true");
      deleting.put(VolumeId.OBJECT_PREFIX_KEY, "/vineyard/data/");
      String id =
          real.controller
              .createVolume(
                  CreateVolumeRequest.newBuilder()
                      .setName("pvc")
                      .addVolumeCapabilities(MOUNT_RW)
                      .putAllParameters(deleting)
                      .build())
              .getVolume()
              .getVolumeId();
      DeleteVolumeRequest request = DeleteVolumeRequest.newBuilder().setVolumeId(id).build();
      // no socket file at all
      assertCode(Status.Code.UNAVAILABLE, () -> real.controller.deleteVolume(request));
      // a socket file nobody listens on (a vineyardd that died)
      Path dir = Files.createDirectories(real.socketRoot.resolve(NS).resolve(NAME));
      try (var stale = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
        stale.bind(UnixDomainSocketAddress.of(dir.resolve(SocketRoot.SOCKET_NAME)));
      }
      assertTrue(Files.exists(dir.resolve(SocketRoot.SOCKET_NAME)));
      assertCode(Status.Code.UNAVAILABLE, () -> real.controller.deleteVolume(request));
    }
  }

  @Test
  void deleteObjectsAgainstAVineyarddThatNeverAnswersGivesUpWithUnavailable() throws IOException {
    Path root = tmp.resolve("silent/root");
    try (DriverFixture silent =
            new DriverFixture(
                tmp.resolve("silent"), new IpcObjectReaper(root, Duration.ofMillis(300)));
        // listening, so connect succeeds through the backlog, but nothing ever answers
        var mute = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      Path dir = Files.createDirectories(root.resolve(NS).resolve(NAME));
      mute.bind(UnixDomainSocketAddress.of(dir.resolve(SocketRoot.SOCKET_NAME)));
      Map<String, String> deleting = new java.util.HashMap<>(PARAMS);
      deleting.put(VolumeId.DELETE_OBJECTS_KEY, "true");
      deleting.put(VolumeId.OBJECT_PREFIX_KEY, "/vineyard/data/");
      String id =
          silent
              .controller
              .createVolume(
                  CreateVolumeRequest.newBuilder()
                      .setName("pvc")
                      .addVolumeCapabilities(MOUNT_RW)
                      .putAllParameters(deleting)
                      .build())
              .getVolume()
              .getVolumeId();
      StatusRuntimeException e =
          assertCode(
              Status.Code.UNAVAILABLE,
              () ->
                  silent.controller.deleteVolume(
                      DeleteVolumeRequest.newBuilder().setVolumeId(id).build()));
      assertTrue(
          e.getStatus().getDescription().contains("did not answer"), e.getStatus().toString());
    }
  }

  // ---- Node ----

  @Test
  void nodeInfoCarriesTheHostnameTopology() {
    NodeGetInfoResponse info = driver.node.nodeGetInfo(NodeGetInfoRequest.getDefaultInstance());
    assertEquals(DriverFixture.NODE, info.getNodeId());
    assertEquals(1000, info.getMaxVolumesPerNode());
    assertEquals(host(DriverFixture.NODE), info.getAccessibleTopology());
  }

  @Test
  void publishBindMountsTheClusterDirectoryAndUnpublishRemovesIt() throws IOException {
    assumeRoot();
    Path cluster = driver.vineyardCluster(NS, NAME);
    String id = create("pvc-p", PARAMS).getVolumeId();
    Path target = target("pod-1/vineyard");
    NodePublishVolumeRequest request = publishRequest(id, target, false);
    driver.node.nodePublishVolume(request);
    driver.node.nodePublishVolume(request); // idempotent
    assertTrue(Files.isSameFile(cluster, target));
    Files.writeString(target.resolve("written-through-mount"), "x");
    assertTrue(Files.exists(cluster.resolve("written-through-mount")));
    connect(target.resolve(SocketRoot.SOCKET_NAME));
    assertCode(
        Status.Code.ALREADY_EXISTS,
        () -> driver.node.nodePublishVolume(publishRequest(id, target, true)));

    NodeUnpublishVolumeRequest unpublish =
        NodeUnpublishVolumeRequest.newBuilder()
            .setVolumeId(id)
            .setTargetPath(target.toString())
            .build();
    driver.node.nodeUnpublishVolume(unpublish);
    assertFalse(Files.exists(target));
    assertTrue(Files.exists(cluster.resolve(SocketRoot.SOCKET_NAME)));
    driver.node.nodeUnpublishVolume(unpublish); // idempotent
  }

  @Test
  void readOnlyPublishRefusesWritesButTheSocketStillConnects() throws IOException {
    assumeRoot();
    Path cluster = driver.vineyardCluster(NS, NAME);
    String id = create("pvc-ro", PARAMS).getVolumeId();
    Path target = target("pod-ro/vineyard");
    driver.node.nodePublishVolume(publishRequest(id, target, true));
    assertThrows(FileSystemException.class, () -> Files.writeString(target.resolve("nope"), "x"));
    assertFalse(Files.exists(cluster.resolve("nope")));
    connect(target.resolve(SocketRoot.SOCKET_NAME));
    Files.writeString(cluster.resolve("from-host"), "y"); // the source stays writable
    assertEquals("y", Files.readString(target.resolve("from-host")));
    driver.node.nodeUnpublishVolume(
        NodeUnpublishVolumeRequest.newBuilder()
            .setVolumeId(id)
            .setTargetPath(target.toString())
            .build());
    assertFalse(Files.exists(target));
  }

  @Test
  void readerOnlyAccessModesPublishReadOnly() throws IOException {
    assumeRoot();
    driver.vineyardCluster(NS, NAME);
    String id = create("pvc-reader", PARAMS).getVolumeId();
    Path target = target("pod-reader/vineyard");
    driver.node.nodePublishVolume(
        publishRequest(id, target, false).toBuilder()
            .setVolumeCapability(
                capability(VolumeCapability.AccessMode.Mode.MULTI_NODE_READER_ONLY))
            .build());
    assertTrue(new BindMounter().mountAt(target).orElseThrow().readOnly());
    driver.node.nodeUnpublishVolume(
        NodeUnpublishVolumeRequest.newBuilder()
            .setVolumeId(id)
            .setTargetPath(target.toString())
            .build());
  }

  @Test
  void publishNeedsTheVineyardSocket() throws IOException {
    Files.createDirectories(driver.socketRoot.resolve(NS).resolve(NAME));
    String id = create("pvc-nosock", PARAMS).getVolumeId();
    Path target = target("pod-2/vineyard");
    StatusRuntimeException e =
        assertCode(
            Status.Code.FAILED_PRECONDITION,
            () -> driver.node.nodePublishVolume(publishRequest(id, target, false)));
    assertTrue(
        e.getStatus().getDescription().contains("vineyard.sock"), e.getStatus().getDescription());
    assertFalse(Files.exists(target));
  }

  @Test
  void publishRefusesANonDirectoryTarget() throws IOException {
    driver.vineyardCluster(NS, NAME);
    String id = create("pvc-file", PARAMS).getVolumeId();
    Path target = target("pod-3/file");
    Files.createDirectories(target.getParent());
    Files.writeString(target, "not a directory");
    assertCode(
        Status.Code.FAILED_PRECONDITION,
        () -> driver.node.nodePublishVolume(publishRequest(id, target, false)));
    Path link = target("pod-3/link");
    Files.createSymbolicLink(link, driver.socketRoot);
    assertCode(
        Status.Code.FAILED_PRECONDITION,
        () -> driver.node.nodePublishVolume(publishRequest(id, link, false)));
    assertEquals("not a directory", Files.readString(target));
  }

  @Test
  void publishNeverLeavesTheSocketRoot() throws IOException {
    Path outside = Files.createDirectories(tmp.resolve("outside/vd"));
    Files.createFile(outside.resolve(SocketRoot.SOCKET_NAME));
    Files.createDirectories(driver.socketRoot.resolve("evil"));
    Files.createSymbolicLink(driver.socketRoot.resolve("evil/vd"), outside);
    String id =
        create("pvc-evil", Map.of(VolumeId.NAMESPACE_KEY, "evil", VolumeId.NAME_KEY, "vd"))
            .getVolumeId();
    Path target = target("pod-4/vineyard");
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () -> driver.node.nodePublishVolume(publishRequest(id, target, false)));
    assertFalse(Files.exists(target));
  }

  @Test
  void publishValidatesItsArguments() {
    String id = VolumeId.forRequest("x", PARAMS).encode();
    Path target = target("pod-5/vineyard");
    NodePublishVolumeRequest good = publishRequest(id, target, false);
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () -> driver.node.nodePublishVolume(good.toBuilder().clearVolumeId().build()));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () -> driver.node.nodePublishVolume(good.toBuilder().clearTargetPath().build()));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () -> driver.node.nodePublishVolume(good.toBuilder().clearVolumeCapability().build()));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () ->
            driver.node.nodePublishVolume(good.toBuilder().setTargetPath("relative/dir").build()));
    assertCode(
        Status.Code.NOT_FOUND,
        () -> driver.node.nodePublishVolume(good.toBuilder().setVolumeId("fake-vol").build()));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () ->
            driver.node.nodeUnpublishVolume(
                NodeUnpublishVolumeRequest.newBuilder().setVolumeId(id).build()));
  }

  // ---- helpers ----

  private Volume create(String name, Map<String, String> params) {
    return driver
        .controller
        .createVolume(
            CreateVolumeRequest.newBuilder()
                .setName(name)
                .addVolumeCapabilities(MOUNT_RW)
                .putAllParameters(params)
                .build())
        .getVolume();
  }

  private Path target(String relative) {
    Path target = tmp.resolve("pods").resolve(relative);
    targets.add(target);
    return target;
  }

  private static NodePublishVolumeRequest publishRequest(String id, Path target, boolean readOnly) {
    return NodePublishVolumeRequest.newBuilder()
        .setVolumeId(id)
        .setTargetPath(target.toString())
        .setVolumeCapability(MOUNT_RW)
        .setReadonly(readOnly)
        .build();
  }

  private static VolumeCapability capability(VolumeCapability.AccessMode.Mode mode) {
    return VolumeCapability.newBuilder()
        .setMount(VolumeCapability.MountVolume.getDefaultInstance())
        .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(mode))
        .build();
  }

  private static Topology host(String node) {
    return Topology.newBuilder().putSegments(ControllerService.TOPOLOGY_KEY, node).build();
  }

  private static void connect(Path socket) throws IOException {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      assertTrue(channel.connect(UnixDomainSocketAddress.of(socket)));
    }
  }

  private static StatusRuntimeException assertCode(Status.Code code, Executable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    assertFalse(e.getStatus().getDescription() == null || e.getStatus().getDescription().isEmpty());
    return e;
  }

  static void assumeRoot() {
    assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "bind mounts need root (CAP_SYS_ADMIN); skipped as " + System.getProperty("user.name"));
  }
}
