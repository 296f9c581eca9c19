package io.cellar.deploy.provisioner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.csi.proto.CreateVolumeRequest;
import io.cellar.csi.proto.Topology;
import io.cellar.csi.proto.Volume;
import io.cellar.csi.proto.VolumeCapability;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The claim → CreateVolume → PersistentVolume translation, without a cluster. */
class ClaimVolumesTest {
  private static final String DRIVER = "csi.vineyard.v6d.io";

  private static PersistentVolumeClaim claim(String... modes) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withNamespace("team")
        .withName("data")
        .withUid("0b5e3c1a-1111-2222-3333-444455556666")
        .withResourceVersion("42")
        .endMetadata()
        .withNewSpec()
        .withAccessModes(modes)
        .withStorageClassName("vineyard-system.vineyardd-sample.csi")
        .withNewResources()
        .addToRequests("storage", new Quantity("1Mi"))
        .endResources()
        .endSpec()
        .build();
  }

  private static StorageClass storageClass(String bindingMode) {
    return new StorageClassBuilder()
        .withNewMetadata()
        .withName("vineyard-system.vineyardd-sample.csi")
        .endMetadata()
        .withProvisioner(DRIVER)
        .addToParameters("k8s.v6d.io/vineyard/namespace", "vineyard-system")
        .addToParameters("k8s.v6d.io/vineyard/name", "vineyardd-sample")
        .addToParameters("csi.storage.k8s.io/fstype", "ext4")
        .addToParameters("csi.storage.k8s.io/provisioner-secret-name", "s")
        .withVolumeBindingMode(bindingMode)
        .withReclaimPolicy("Retain")
        .withMountOptions("noatime")
        .build();
  }

  private static Node node(String name, String hostname) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels("kubernetes.io/hostname", hostname)
        .endMetadata()
        .build();
  }

  @Test
  void theRequestCarriesTheClassParametersAndTheExtraCreateMetadata() {
    CreateVolumeRequest request =
        ClaimVolumes.createRequest(claim("ReadWriteMany"), storageClass("Immediate"), null);
    assertEquals("pvc-0b5e3c1a-1111-2222-3333-444455556666", request.getName());
    assertEquals(
        Map.of(
            "k8s.v6d.io/vineyard/namespace", "vineyard-system",
            "k8s.v6d.io/vineyard/name", "vineyardd-sample",
            "csi.storage.k8s.io/pvc/name", "data",
            "csi.storage.k8s.io/pvc/namespace", "team",
            "csi.storage.k8s.io/pv/name", "pvc-0b5e3c1a-1111-2222-3333-444455556666"),
        request.getParametersMap(),
        "reserved csi.storage.k8s.io/ parameters (fstype, secrets) never reach the driver");
    assertEquals(1024 * 1024, request.getCapacityRange().getRequiredBytes());
    VolumeCapability capability = request.getVolumeCapabilities(0);
    assertEquals(
        VolumeCapability.AccessMode.Mode.MULTI_NODE_MULTI_WRITER,
        capability.getAccessMode().getMode());
    assertEquals("ext4", capability.getMount().getFsType());
    assertEquals(List.of("noatime"), capability.getMount().getMountFlagsList());
    assertFalse(request.hasAccessibilityRequirements(), "Immediate without allowedTopologies");
  }

  @Test
  void everyAccessModeMapsAndAnUnknownOneIsRefused() {
    CreateVolumeRequest request =
        ClaimVolumes.createRequest(
            claim("ReadWriteOnce", "ReadOnlyMany", "ReadWriteOncePod"),
            storageClass("Immediate"),
            null);
    assertEquals(
        List.of(
            VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER,
            VolumeCapability.AccessMode.Mode.MULTI_NODE_READER_ONLY,
            VolumeCapability.AccessMode.Mode.SINGLE_NODE_SINGLE_WRITER),
        request.getVolumeCapabilitiesList().stream()
            .map(c -> c.getAccessMode().getMode())
            .toList());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ClaimVolumes.createRequest(claim("Sometimes"), storageClass("Immediate"), null));
    assertTrue(e.getMessage().contains("Sometimes"), e.getMessage());
    PersistentVolumeClaim block = claim("ReadWriteOnce");
    block.getSpec().setVolumeMode("Block");
    assertThrows(
        IllegalArgumentException.class,
        () -> ClaimVolumes.createRequest(block, storageClass("Immediate"), null));
  }

  @Test
  void waitForFirstConsumerAsksForTheSelectedNodesHostname() {
    CreateVolumeRequest request =
        ClaimVolumes.createRequest(
            claim("ReadWriteMany"), storageClass("WaitForFirstConsumer"), node("n1", "host-1"));
    Topology expected =
        Topology.newBuilder().putSegments("kubernetes.io/hostname", "host-1").build();
    assertEquals(List.of(expected), request.getAccessibilityRequirements().getRequisiteList());
    assertEquals(List.of(expected), request.getAccessibilityRequirements().getPreferredList());
  }

  @Test
  void allowedTopologiesBecomeTheRequisiteTopology() {
    StorageClass sc = storageClass("Immediate");
    sc.setAllowedTopologies(
        List.of(
            new io.fabric8.kubernetes.api.model.TopologySelectorTermBuilder()
                .addNewMatchLabelExpression()
                .withKey("kubernetes.io/hostname")
                .withValues("a", "b")
                .endMatchLabelExpression()
                .build()));
    CreateVolumeRequest request = ClaimVolumes.createRequest(claim("ReadWriteMany"), sc, null);
    assertEquals(
        List.of("a", "b"),
        request.getAccessibilityRequirements().getRequisiteList().stream()
            .map(t -> t.getSegmentsMap().get("kubernetes.io/hostname"))
            .toList());
    assertEquals(0, request.getAccessibilityRequirements().getPreferredCount());
  }

  @Test
  void thePersistentVolumeIsBoundInAdvanceToItsClaimWithTheVolumesTopology() {
    PersistentVolumeClaim claim = claim("ReadWriteMany");
    Volume volume =
        Volume.newBuilder()
            .setVolumeId("cellar1.k.0123.vineyard-system.vineyardd-sample")
            .putVolumeContext("k8s.v6d.io/vineyard/name", "vineyardd-sample")
            .addAccessibleTopology(
                Topology.newBuilder().putSegments("kubernetes.io/hostname", "host-1"))
            .build();
    PersistentVolume pv =
        ClaimVolumes.persistentVolume(claim, storageClass("WaitForFirstConsumer"), volume, DRIVER);
    assertEquals("pvc-0b5e3c1a-1111-2222-3333-444455556666", pv.getMetadata().getName());
    assertEquals(DRIVER, pv.getMetadata().getAnnotations().get("pv.kubernetes.io/provisioned-by"));
    assertEquals(DRIVER, pv.getSpec().getCsi().getDriver());
    assertEquals(volume.getVolumeId(), pv.getSpec().getCsi().getVolumeHandle());
    assertEquals(
        Map.of("k8s.v6d.io/vineyard/name", "vineyardd-sample"),
        pv.getSpec().getCsi().getVolumeAttributes());
    assertEquals("ext4", pv.getSpec().getCsi().getFsType());
    assertEquals(
        new Quantity("1Mi"), pv.getSpec().getCapacity().get("storage"), "capacity 0: the request");
    assertEquals("0b5e3c1a-1111-2222-3333-444455556666", pv.getSpec().getClaimRef().getUid());
    assertEquals("team", pv.getSpec().getClaimRef().getNamespace());
    assertEquals("data", pv.getSpec().getClaimRef().getName());
    assertEquals("Retain", pv.getSpec().getPersistentVolumeReclaimPolicy());
    assertEquals("vineyard-system.vineyardd-sample.csi", pv.getSpec().getStorageClassName());
    assertEquals(List.of("ReadWriteMany"), pv.getSpec().getAccessModes());
    assertEquals(List.of("noatime"), pv.getSpec().getMountOptions());
    NodeSelectorRequirement affinity =
        pv.getSpec()
            .getNodeAffinity()
            .getRequired()
            .getNodeSelectorTerms()
            .get(0)
            .getMatchExpressions()
            .get(0);
    assertEquals("kubernetes.io/hostname", affinity.getKey());
    assertEquals("In", affinity.getOperator());
    assertEquals(List.of("host-1"), affinity.getValues());

    PersistentVolume anywhere =
        ClaimVolumes.persistentVolume(
            claim,
            storageClass("Immediate"),
            volume.toBuilder().clearAccessibleTopology().build(),
            DRIVER);
    assertNull(anywhere.getSpec().getNodeAffinity(), "no topology, no node affinity");
  }

  @Test
  void theLeaseNameIsTheSanitizedDriverName() {
    assertEquals("csi-vineyard-v6d-io", ProvisionerElection.leaseName(DRIVER));
  }
}
