package io.cellar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cellar.client.IpcClient;
import io.cellar.csi.ControllerService;
import io.cellar.csi.VolumeId;
import io.cellar.csi.proto.CreateVolumeRequest;
import io.cellar.csi.proto.DeleteVolumeRequest;
import io.cellar.csi.proto.NodePublishVolumeRequest;
import io.cellar.csi.proto.NodeUnpublishVolumeRequest;
import io.cellar.csi.proto.Topology;
import io.cellar.csi.proto.TopologyRequirement;
import io.cellar.csi.proto.Volume;
import io.cellar.csi.proto.VolumeCapability;
import io.cellar.testing.daemon.DaemonKind;
import io.cellar.testing.daemon.VineyarddProcess;
import io.cellar.testing.etcd.EtcdCluster;
import io.cellar.testing.python.PythonVenv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubeflow example's pipeline on a three-node Cellar cluster, with the test playing the
 * provisioner and the kubelets: three {@code bin/vineyardd} on one etcd (one per "node"), a CSI
 * driver per node serving that node's socket, CreateVolume from the StorageClass's parameters with
 * the scheduler's choice of node, and for each step NodePublishVolume by the driver of the node the
 * step runs on, at the path the step's container would see ({@code /vineyard/data} in a pod; one
 * directory here, published for one step at a time as the steps run in order). The four steps of
 * {@code deploy/examples/kubeflow} run as separate processes: preprocess on node 0, train on node
 * 1, test on node 2, so train and test read objects another instance holds (the Python client
 * fetches their blobs from the owner over RPC, the owner's endpoint from {@code cluster_meta}). The
 * mean squared error equals the file-based run's, and DeleteVolume, called on a third node's
 * driver, leaves no object of the volume on any instance.
 */
@Timeout(900)
class PipelineOnClusterIT {
  @RegisterExtension static final EtcdCluster ETCD = EtcdCluster.single();

  private static final String NS = "vineyard-system";
  private static final String CLUSTER = "vineyardd-sample";
  private static final int NODES = 3;
  private static final Pattern MSE = Pattern.compile("mean squared error: (\\S+)");
  private static final Pattern LABEL = Pattern.compile("(?m)^([A-Za-z_ ]+time:)\\s+([0-9.e-]+)$");
  private static final VolumeCapability RWX = CsiDriver.MOUNT_RWX;

  @TempDir static Path tmp;
  private static VineyarddFleet fleet;
  private static final List<VineyarddProcess> daemons = new ArrayList<>();
  private static final List<CsiDriver> drivers = new ArrayList<>();

  @BeforeAll
  static void startTheNodes() throws Exception {
    fleet = VineyarddFleet.start(ETCD, "/cellar-it-pipeline");
    for (int i = 0; i < NODES; i++) { // in order: node i runs instance i
      Path root = tmp.resolve("node-" + i + "/sockets");
      Path socket =
          Files.createDirectories(root.resolve(NS).resolve(CLUSTER)).resolve("vineyard.sock");
      daemons.add(fleet.builder(DaemonKind.CELLAR).socket(socket).size("1G").start());
      drivers.add(new CsiDriver(tmp.resolve("node-" + i + "/csi.sock"), root, "node-" + i));
    }
  }

  @AfterAll
  static void stopTheNodes() {
    drivers.forEach(CsiDriver::close);
    daemons.forEach(VineyarddProcess::close);
    if (fleet != null) {
      fleet.close();
    }
  }

  @Test
  void stepsOnOtherNodesReadTheirInputsAndDeleteVolumeCleansTheCluster() throws Exception {
    assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "NodePublishVolume bind-mounts (mount(2) needs root); skipped as "
            + System.getProperty("user.name"));
    Path files = Files.createDirectories(tmp.resolve("data-files"));
    Path withVineyard = Files.createDirectories(tmp.resolve("data-vineyard"));
    Path mount = tmp.resolve("vineyard/data"); // what every step's container sees
    step("prepare-data.py", "--data_dir", files.toString(), "--data_multiplier=1");
    Files.copy(files.resolve("df_1.pkl"), withVineyard.resolve("df_1.pkl"));

    // the pipeline on files
    step("preprocess.py", "--data_dir", files.toString(), "--data_multiplier=1");
    step("train.py", "--data_dir", files.toString());
    String fileMse = mse(step("test.py", "--data_dir", files.toString()));

    // the provisioner: WaitForFirstConsumer, the scheduler put the first consumer on node 0
    Volume volume = createVolume("pvc-pipeline", mount + "/", "node-0");
    assertEquals(
        List.of(
            Topology.newBuilder().putSegments(ControllerService.TOPOLOGY_KEY, "node-0").build()),
        volume.getAccessibleTopologyList(),
        "the PV follows the first consumer's node");

    // the pipeline on the vineyard volume, each step on its node
    Map<String, String> timings = new LinkedHashMap<>();
    String[] vineyard = {"--with_vineyard", "--vineyard_dir", mount.toString()};
    timings.putAll(
        labels(
            onNode(
                0,
                volume,
                mount,
                "preprocess.py",
                concat(vineyard, "--data_dir", withVineyard.toString(), "--data_multiplier=1"))));
    List<String> names = namesUnder(0, mount + "/");
    assertEquals(
        List.of("x_test.pkl", "x_train.pkl", "y_test.pkl", "y_train.pkl"),
        names.stream().map(n -> n.substring(mount.toString().length() + 1)).sorted().toList(),
        "preprocess named its four outputs under the volume");
    for (int i = 0; i < NODES; i++) {
      assertEquals(0, ownerOf(i, mount + "/x_train.pkl"), "written on node 0, seen from node " + i);
    }
    timings.putAll(
        labels(
            onNode(
                1,
                volume,
                mount,
                "train.py",
                concat(vineyard, "--data_dir", withVineyard.toString()))));
    String output =
        onNode(
            2, volume, mount, "test.py", concat(vineyard, "--data_dir", withVineyard.toString()));
    timings.putAll(labels(output));
    assertEquals(fileMse, mse(output), "the same model from the same data: the same error");
    System.out.println("PipelineOnClusterIT timings (vineyard, three nodes): " + timings);

    // the PVC goes: DeleteVolume through the driver of a node that wrote nothing
    drivers
        .get(2)
        .controller
        .deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(volume.getVolumeId()).build());
    for (int i = 0; i < NODES; i++) {
      assertEquals(List.of(), namesUnder(i, mount + "/"), "names left on node " + i);
    }
    try (IpcClient owner = IpcClient.connect(daemons.get(0).socket())) {
      List<String> userObjects = new ArrayList<>();
      owner
          .listData("*", false, 100)
          .forEach(
              (id, meta) -> {
                if (!meta.path("typename").asText().equals("vineyard::Blob")) {
                  userObjects.add(id + " " + meta.path("typename").asText());
                }
              });
      assertEquals(List.of(), userObjects, "objects left on the writer's instance");
    }
  }

  private static Volume createVolume(String name, String objectPrefix, String selectedNode) {
    Topology node =
        Topology.newBuilder().putSegments(ControllerService.TOPOLOGY_KEY, selectedNode).build();
    return drivers
        .get(0)
        .controller
        .createVolume(
            CreateVolumeRequest.newBuilder()
                .setName(name)
                .addVolumeCapabilities(RWX)
                .putParameters(VolumeId.NAMESPACE_KEY, NS)
                .putParameters(VolumeId.NAME_KEY, CLUSTER)
                .putParameters(VolumeId.DELETE_OBJECTS_KEY, "true")
                .putParameters(VolumeId.OBJECT_PREFIX_KEY, objectPrefix)
                .setAccessibilityRequirements(
                    TopologyRequirement.newBuilder().addRequisite(node).addPreferred(node))
                .build())
        .getVolume();
  }

  /** The kubelet of node {@code i}: publish, run the step's container, unpublish. */
  private static String onNode(int i, Volume volume, Path target, String script, String... args)
      throws Exception {
    CsiDriver driver = drivers.get(i);
    driver.node.nodePublishVolume(
        NodePublishVolumeRequest.newBuilder()
            .setVolumeId(volume.getVolumeId())
            .putAllVolumeContext(volume.getVolumeContextMap())
            .setTargetPath(target.toString())
            .setVolumeCapability(RWX)
            .build());
    try {
      assertTrue(Files.exists(target.resolve("vineyard.sock")), "node " + i + "'s socket mounted");
      return step(script, args);
    } finally {
      driver.node.nodeUnpublishVolume(
          NodeUnpublishVolumeRequest.newBuilder()
              .setVolumeId(volume.getVolumeId())
              .setTargetPath(target.toString())
              .build());
    }
  }

  private static String step(String script, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(
        PythonVenv.repoRoot().resolve("deploy/examples/kubeflow").resolve(script).toString());
    command.add("--drop_caches=false");
    command.addAll(List.of(args));
    return PythonVenv.vineyard().run(java.time.Duration.ofMinutes(5), Map.of(), command);
  }

  private static List<String> namesUnder(int node, String prefix) throws Exception {
    try (IpcClient client = IpcClient.connect(daemons.get(node).socket())) {
      return client.listNames("*", false, 100).keySet().stream()
          .filter(n -> n.startsWith(prefix))
          .sorted()
          .toList();
    }
  }

  private static long ownerOf(int node, String name) throws Exception {
    try (IpcClient client = IpcClient.connect(daemons.get(node).socket())) {
      long id = client.getName(name, false);
      return client.getData(id).path("instance_id").asLong();
    }
  }

  private static String mse(String output) {
    Matcher m = MSE.matcher(output);
    assertTrue(m.find(), "no mean squared error in:\n" + output);
    return m.group(1);
  }

  private static Map<String, String> labels(String output) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = LABEL.matcher(output);
    while (m.find()) {
      out.put(m.group(1), m.group(2));
    }
    return out;
  }

  private static String[] concat(String[] first, String... more) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }
}
