package io.cellar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellar.client.IpcClient;
import io.cellar.client.data.Tensor;
import io.cellar.client.data.Values;
import io.cellar.deploy.provisioner.DriverClient;
import io.cellar.deploy.provisioner.Provisioner;
import io.cellar.deploy.provisioner.ProvisionerElection;
import io.cellar.protocol.CellarException;
import io.cellar.testing.daemon.DaemonCommand;
import io.cellar.testing.daemon.VineyarddProcess;
import io.cellar.testing.k8s.KubeControlPlane;
import io.cellar.testing.k8s.KubeControlPlaneExtension;
import io.cellar.testing.k8s.Kubectl;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in provisioner on a real control plane (kube-apiserver, the controller-manager's PV
 * controller binding, two kwok nodes), the driver in this JVM with the real object reaper, and
 * Cellar's vineyardd holding the objects: two provisioners compete for the Lease and one
 * provisions; Immediate and WaitForFirstConsumer claims get their PV (attributes, claim reference,
 * topology) and are bound; deleting a claim runs DeleteVolume (its objects go) and removes the PV;
 * when the leader stops, the other takes over.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CsiProvisionerIT {
  @RegisterExtension
  static final KubeControlPlaneExtension K8S =
      new KubeControlPlaneExtension(KubeControlPlane.builder().nodes(2));

  static final String DRIVER = "csi.vineyard.v6d.io";
  static final String NS = "team";
  static final String LEASE_NS = "vineyard-system";
  static final Duration TIMEOUT = Duration.ofSeconds(60);
  static final ProvisionerElection.Timing FAST =
      new ProvisionerElection.Timing(
          Duration.ofSeconds(6), Duration.ofSeconds(4), Duration.ofMillis(500));

  @TempDir static Path tmp;
  static Path objectSocket;
  static VineyarddProcess vineyardd;
  static CsiDriver driver;
  static final List<AutoCloseable> OPEN = new ArrayList<>();
  static final List<Candidate> CANDIDATES = new ArrayList<>();

  record Candidate(String identity, ProvisionerElection election) {}

  @BeforeAll
  static void start() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root"));
    objectSocket = Files.createDirectories(root.resolve("ns1/vd1")).resolve("vineyard.sock");
    vineyardd =
        VineyarddProcess.builder(
                DaemonCommand.findLauncher()
                    .map(DaemonCommand::cellarLauncher)
                    .orElseGet(
                        () -> DaemonCommand.cellarMain(List.of("-Xmx192m", "-XX:+UseSerialGC"))))
            .socket(objectSocket)
            .size("256M")
            .start();
    Path endpoint = tmp.resolve("csi/csi.sock");
    driver = new CsiDriver(endpoint, root);
    kubectl().run("create", "namespace", NS);
    kubectl().run("create", "namespace", LEASE_NS);
    kubectl()
        .apply(
            """
            apiVersion: storage.k8s.io/v1
            kind: StorageClass
            metadata: {name: cellar-now}
            provisioner: csi.vineyard.v6d.io
            parameters:
              k8s.v6d.io/vineyard/namespace: ns1
              k8s.v6d.io/vineyard/name: vd1
              k8s.v6d.io/vineyard/delete-objects: "true"
              k8s.v6d.io/vineyard/object-prefix: /vineyard/data/
            reclaimPolicy: Delete
            volumeBindingMode: Immediate
            ---
            apiVersion: storage.k8s.io/v1
            kind: StorageClass
            metadata: {name: cellar-later}
            provisioner: csi.vineyard.v6d.io
            parameters:
              k8s.v6d.io/vineyard/namespace: ns1
              k8s.v6d.io/vineyard/name: vd1
            reclaimPolicy: Delete
            volumeBindingMode: WaitForFirstConsumer
            """);
    for (String identity : List.of("provisioner-a", "provisioner-b")) {
      CANDIDATES.add(new Candidate(identity, candidate(identity, endpoint)));
    }
  }

  static ProvisionerElection candidate(String identity, Path endpoint) {
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(K8S.plane().kubeconfig().toFile()))
            .build();
    DriverClient driverClient = new DriverClient(endpoint, DriverClient.CALL_TIMEOUT);
    OPEN.add(client);
    OPEN.add(driverClient);
    return ProvisionerElection.start(
        client,
        LEASE_NS,
        DRIVER,
        identity,
        FAST,
        () -> new Provisioner(client, driverClient, DRIVER, identity),
        () -> {});
  }

  @AfterAll
  static void stop() throws Exception {
    for (Candidate c : CANDIDATES) {
      c.election().close();
    }
    for (AutoCloseable c : OPEN) {
      c.close();
    }
    if (driver != null) {
      driver.close();
    }
    if (vineyardd != null) {
      vineyardd.stop();
      vineyardd.close();
    }
  }

  static Kubectl kubectl() {
    return K8S.plane().kubectl();
  }

  static <T> T await(String what, Callable<T> probe) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      T value = probe.call();
      if (value != null && !Boolean.FALSE.equals(value)) {
        return value;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("timed out waiting for " + what + "\n" + K8S.plane().logTails(20));
  }

  static List<Candidate> leaders() {
    return CANDIDATES.stream().filter(c -> c.election().leading()).toList();
  }

  static void claim(String name, String storageClass) {
    kubectl()
        .apply(
            """
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: %s, namespace: %s}
            spec:
              accessModes: [ReadWriteMany]
              storageClassName: %s
              resources: {requests: {storage: 1Mi}}
            """
                .formatted(name, NS, storageClass));
  }

  static JsonNode boundClaim(String name) throws Exception {
    return await(
        "claim " + name + " Bound",
        () -> {
          JsonNode pvc = kubectl().json("get", "pvc", name, "-n", NS, "-o", "json");
          return "Bound".equals(pvc.path("status").path("phase").asText()) ? pvc : null;
        });
  }

  static JsonNode volumeOf(JsonNode pvc) {
    String pv = pvc.path("spec").path("volumeName").asText();
    assertEquals("pvc-" + pvc.path("metadata").path("uid").asText(), pv);
    return kubectl().json("get", "pv", pv, "-o", "json");
  }

  static List<String> eventSources(String claim) {
    JsonNode events =
        kubectl()
            .json(
                "get",
                "events",
                "-n",
                NS,
                "--field-selector",
                "involvedObject.name=" + claim,
                "-o",
                "json");
    List<String> sources = new ArrayList<>();
    // the PV controller's own "waiting for an external provisioner" events aside
    events.path("items").forEach(e -> sources.add(e.path("source").path("component").asText()));
    sources.removeIf(s -> !s.startsWith(DRIVER));
    return sources;
  }

  static long named(IpcClient client, String name, long value) throws IOException {
    long id = Values.putTensor(client, Tensor.of(new long[] {value})).id();
    client.persist(id);
    client.putName(id, name);
    return id;
  }

  @Test
  @Order(1)
  void ofTwoCandidatesExactlyOneHoldsTheLease() throws Exception {
    Candidate leader = await("a leader", () -> leaders().size() == 1 ? leaders().get(0) : null);
    JsonNode lease =
        kubectl().json("get", "lease", "csi-vineyard-v6d-io", "-n", LEASE_NS, "-o", "json");
    assertEquals(leader.identity(), lease.path("spec").path("holderIdentity").asText());
    assertEquals(1, leaders().size());
  }

  @Test
  @Order(2)
  void anImmediateClaimGetsOneBoundVolumeWithTheCreateMetadata() throws Exception {
    // created first: must stay pending while the Immediate one is provisioned
    claim("later", "cellar-later");
    claim("now", "cellar-now");
    JsonNode pvc = boundClaim("now");
    JsonNode pv = volumeOf(pvc);
    String pvName = pv.path("metadata").path("name").asText();
    assertEquals(
        DRIVER,
        pv.path("metadata").path("annotations").path("pv.kubernetes.io/provisioned-by").asText());
    JsonNode csi = pv.path("spec").path("csi");
    assertEquals(DRIVER, csi.path("driver").asText());
    assertTrue(csi.path("volumeHandle").asText().startsWith("cellar1.d."), csi.toString());
    JsonNode attributes = csi.path("volumeAttributes");
    assertEquals("ns1", attributes.path("k8s.v6d.io/vineyard/namespace").asText());
    assertEquals("vd1", attributes.path("k8s.v6d.io/vineyard/name").asText());
    assertEquals("now", attributes.path("csi.storage.k8s.io/pvc/name").asText());
    assertEquals(NS, attributes.path("csi.storage.k8s.io/pvc/namespace").asText());
    assertEquals(pvName, attributes.path("csi.storage.k8s.io/pv/name").asText());
    assertEquals(
        pvc.path("metadata").path("uid").asText(),
        pv.path("spec").path("claimRef").path("uid").asText());
    assertEquals("Delete", pv.path("spec").path("persistentVolumeReclaimPolicy").asText());
    assertEquals("cellar-now", pv.path("spec").path("storageClassName").asText());
    assertEquals("1Mi", pv.path("spec").path("capacity").path("storage").asText());
    assertTrue(pv.path("spec").path("nodeAffinity").isMissingNode(), "Immediate: no topology");
    assertEquals("Bound", pv.path("status").path("phase").asText());
    assertEquals(1, kubectl().json("get", "pv", "-o", "json").path("items").size(), "one PV");
    String leader = leaders().get(0).identity();
    List<String> sources = eventSources("now");
    assertFalse(sources.isEmpty());
    assertTrue(
        sources.stream().allMatch(s -> s.equals(DRIVER + "_" + leader)),
        "only the leader provisions: " + sources);

    JsonNode later = kubectl().json("get", "pvc", "later", "-n", NS, "-o", "json");
    assertEquals("Pending", later.path("status").path("phase").asText());
    assertTrue(later.path("spec").path("volumeName").asText().isEmpty());
  }

  @Test
  @Order(3)
  void aWaitForFirstConsumerClaimFollowsTheSelectedNode() throws Exception {
    String node = K8S.plane().nodeNames().get(1);
    // what the scheduler does when it places the claim's first pod
    kubectl()
        .run("annotate", "pvc", "later", "-n", NS, "volume.kubernetes.io/selected-node=" + node);
    JsonNode pv = volumeOf(boundClaim("later"));
    JsonNode term =
        pv.path("spec").path("nodeAffinity").path("required").path("nodeSelectorTerms").get(0);
    JsonNode expression = term.path("matchExpressions").get(0);
    assertEquals("kubernetes.io/hostname", expression.path("key").asText());
    assertEquals("In", expression.path("operator").asText());
    assertEquals(node, expression.path("values").get(0).asText());
    assertTrue(pv.path("spec").path("csi").path("volumeHandle").asText().startsWith("cellar1.k."));
  }

  @Test
  @Order(4)
  void deletingTheClaimDeletesTheVolumesObjectsAndThePv() throws Exception {
    String pvName =
        kubectl()
            .json("get", "pvc", "now", "-n", NS, "-o", "json")
            .path("spec")
            .path("volumeName")
            .asText();
    try (IpcClient client = IpcClient.connect(objectSocket)) {
      long inside = named(client, "/vineyard/data/a.pkl", 1);
      long outside = named(client, "/vineyard/other/b.pkl", 2);
      kubectl().run("delete", "pvc", "now", "-n", NS, "--wait=false");
      await(
          "PV " + pvName + " gone",
          () -> kubectl().run("get", "pv", pvName, "--ignore-not-found", "-o", "name").isBlank());
      assertThrows(CellarException.class, () -> client.getName("/vineyard/data/a.pkl", false));
      assertFalse(client.exists(inside), "DeleteVolume deleted the object under the prefix");
      assertEquals(outside, client.getName("/vineyard/other/b.pkl", false));
      assertTrue(client.exists(outside));
    }
  }

  @Test
  @Order(5)
  void whenTheLeaderStopsTheOtherTakesOver() throws Exception {
    Candidate leader = leaders().get(0);
    leader.election().close(); // releases the Lease
    Candidate next =
        await(
            "the other candidate leading",
            () -> leaders().size() == 1 && leaders().get(0) != leader ? leaders().get(0) : null);
    claim("after", "cellar-now");
    volumeOf(boundClaim("after"));
    assertTrue(
        eventSources("after").stream().allMatch(s -> s.equals(DRIVER + "_" + next.identity())),
        eventSources("after").toString());
    JsonNode lease =
        kubectl().json("get", "lease", "csi-vineyard-v6d-io", "-n", LEASE_NS, "-o", "json");
    assertEquals(next.identity(), lease.path("spec").path("holderIdentity").asText());
  }
}
