package io.cellar.deploy.provisioner;

import io.cellar.csi.proto.CreateVolumeRequest;
import io.cellar.csi.proto.Topology;
import io.cellar.csi.proto.TopologyRequirement;
import io.cellar.csi.proto.Volume;
import io.cellar.csi.proto.VolumeCapability;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TopologySelectorLabelRequirement;
import io.fabric8.kubernetes.api.model.TopologySelectorTerm;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * From a claim to a CreateVolume request, and from the driver's answer to the PersistentVolume, as
 * external-provisioner (with {@code --extra-create-metadata} and topology) makes them: the volume
 * and PV name {@code pvc-<claim uid>}; the StorageClass parameters without the reserved {@code
 * csi.storage.k8s.io/} ones, plus {@code csi.storage.k8s.io/pvc/name}, {@code pvc/namespace} and
 * {@code pv/name}; the claim's access modes as CSI access modes (mount access type, the class's
 * {@code csi.storage.k8s.io/fstype}); the claim's request as {@code required_bytes}; for
 * WaitForFirstConsumer the selected node's {@code kubernetes.io/hostname} as the requisite and
 * preferred topology, otherwise the class's {@code allowedTopologies} as requisite. The PV carries
 * the CSI source, the claim reference (with its uid, so the PV controller binds exactly this
 * claim), the class's reclaim policy and mount options, and node affinity from the accessible
 * topology. Pure functions; thread-safe.
 */
public final class ClaimVolumes {
  /** Set by the scheduler on a WaitForFirstConsumer claim: the node of its first pod. */
  public static final String SELECTED_NODE = "volume.kubernetes.io/selected-node";

  /** Set by the PV controller on a claim to name the provisioner that should serve it. */
  public static final String STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner";

  /** The older spelling of {@link #STORAGE_PROVISIONER}, still set by the PV controller. */
  public static final String BETA_STORAGE_PROVISIONER =
      "volume.beta.kubernetes.io/storage-provisioner";

  /** On a PV: which provisioner made it (and so deletes it). */
  public static final String PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";

  /** Extra create metadata: the claim's name. */
  public static final String PVC_NAME = "csi.storage.k8s.io/pvc/name";

  /** Extra create metadata: the claim's namespace. */
  public static final String PVC_NAMESPACE = "csi.storage.k8s.io/pvc/namespace";

  /** Extra create metadata: the PV's name. */
  public static final String PV_NAME = "csi.storage.k8s.io/pv/name";

  /** The StorageClass parameter giving the file system type. */
  public static final String FSTYPE = "csi.storage.k8s.io/fstype";

  /** The prefix of parameters meant for the provisioner, never passed to the driver. */
  public static final String RESERVED_PREFIX = "csi.storage.k8s.io/";

  /** The topology key the driver reports (NodeGetInfo) and accepts. */
  public static final String HOSTNAME_KEY = "kubernetes.io/hostname";

  private ClaimVolumes() {}

  /**
   * The name of the volume and PV of a claim.
   *
   * @param claim the claim
   * @return {@code pvc-<uid>}
   */
  public static String volumeName(PersistentVolumeClaim claim) {
    return "pvc-" + claim.getMetadata().getUid();
  }

  /**
   * The CreateVolume request for a claim.
   *
   * @param claim the claim (with a uid)
   * @param storageClass its class
   * @param selectedNode for WaitForFirstConsumer, the node the scheduler chose; otherwise null
   * @return the request
   * @throws IllegalArgumentException when the claim cannot be served (an unknown access mode, a
   *     malformed size), with the reason
   */
  public static CreateVolumeRequest createRequest(
      PersistentVolumeClaim claim, StorageClass storageClass, Node selectedNode) {
    String pvName = volumeName(claim);
    Map<String, String> parameters = new LinkedHashMap<>();
    Map<String, String> classParameters =
        Objects.requireNonNullElse(storageClass.getParameters(), Map.of());
    classParameters.forEach(
        (k, v) -> {
          if (!k.startsWith(RESERVED_PREFIX)) {
            parameters.put(k, v);
          }
        });
    parameters.put(PVC_NAME, claim.getMetadata().getName());
    parameters.put(PVC_NAMESPACE, claim.getMetadata().getNamespace());
    parameters.put(PV_NAME, pvName);
    CreateVolumeRequest.Builder request =
        CreateVolumeRequest.newBuilder().setName(pvName).putAllParameters(parameters);
    VolumeCapability.MountVolume.Builder mount = VolumeCapability.MountVolume.newBuilder();
    String fsType = classParameters.get(FSTYPE);
    if (fsType != null) {
      mount.setFsType(fsType);
    }
    if (storageClass.getMountOptions() != null) {
      mount.addAllMountFlags(storageClass.getMountOptions());
    }
    if ("Block".equals(claim.getSpec().getVolumeMode())) {
      throw new IllegalArgumentException(
          "volumeMode Block is not supported by " + storageClass.getProvisioner());
    }
    List<String> modes = Objects.requireNonNullElse(claim.getSpec().getAccessModes(), List.of());
    if (modes.isEmpty()) {
      throw new IllegalArgumentException("the claim has no access modes");
    }
    for (String mode : modes) {
      request.addVolumeCapabilities(
          VolumeCapability.newBuilder()
              .setMount(mount)
              .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(accessMode(mode))));
    }
    requestedBytes(claim)
        .ifPresent(bytes -> request.getCapacityRangeBuilder().setRequiredBytes(bytes));
    TopologyRequirement topology = topology(storageClass, selectedNode);
    if (topology.getRequisiteCount() > 0 || topology.getPreferredCount() > 0) {
      request.setAccessibilityRequirements(topology);
    }
    return request.build();
  }

  /**
   * The CSI access mode of a Kubernetes access mode.
   *
   * @param mode {@code ReadWriteOnce}, {@code ReadOnlyMany}, {@code ReadWriteMany} or {@code
   *     ReadWriteOncePod}
   * @return the CSI mode
   * @throws IllegalArgumentException for another value
   */
  static VolumeCapability.AccessMode.Mode accessMode(String mode) {
    return switch (mode) {
      case "ReadWriteOnce" -> VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER;
      case "ReadOnlyMany" -> VolumeCapability.AccessMode.Mode.MULTI_NODE_READER_ONLY;
      case "ReadWriteMany" -> VolumeCapability.AccessMode.Mode.MULTI_NODE_MULTI_WRITER;
      case "ReadWriteOncePod" -> VolumeCapability.AccessMode.Mode.SINGLE_NODE_SINGLE_WRITER;
      default -> throw new IllegalArgumentException("unknown access mode " + mode);
    };
  }

  private static Optional<Long> requestedBytes(PersistentVolumeClaim claim) {
    if (claim.getSpec().getResources() == null
        || claim.getSpec().getResources().getRequests() == null) {
      return Optional.empty();
    }
    Quantity storage = claim.getSpec().getResources().getRequests().get("storage");
    if (storage == null) {
      return Optional.empty();
    }
    BigDecimal bytes;
    try {
      bytes = storage.getNumericalAmount();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the claim's storage request is malformed: " + storage, e);
    }
    return Optional.of(bytes.setScale(0, java.math.RoundingMode.CEILING).longValueExact());
  }

  private static TopologyRequirement topology(StorageClass storageClass, Node selectedNode) {
    TopologyRequirement.Builder requirement = TopologyRequirement.newBuilder();
    if (selectedNode != null) {
      Map<String, String> labels =
          Objects.requireNonNullElse(selectedNode.getMetadata().getLabels(), Map.of());
      String host = labels.getOrDefault(HOSTNAME_KEY, selectedNode.getMetadata().getName());
      Topology node = Topology.newBuilder().putSegments(HOSTNAME_KEY, host).build();
      return requirement.addRequisite(node).addPreferred(node).build();
    }
    if (storageClass.getAllowedTopologies() != null) {
      for (TopologySelectorTerm term : storageClass.getAllowedTopologies()) {
        List<Map<String, String>> combinations = new ArrayList<>();
        combinations.add(new LinkedHashMap<>());
        for (TopologySelectorLabelRequirement expression :
            Objects.requireNonNullElse(
                term.getMatchLabelExpressions(), List.<TopologySelectorLabelRequirement>of())) {
          List<Map<String, String>> next = new ArrayList<>();
          for (Map<String, String> partial : combinations) {
            for (String value : expression.getValues()) {
              Map<String, String> more = new LinkedHashMap<>(partial);
              more.put(expression.getKey(), value);
              next.add(more);
            }
          }
          combinations = next;
        }
        for (Map<String, String> segments : combinations) {
          if (!segments.isEmpty()) {
            requirement.addRequisite(Topology.newBuilder().putAllSegments(segments));
          }
        }
      }
    }
    return requirement.build();
  }

  /**
   * The PersistentVolume of a created volume, bound in advance to its claim (the PV controller
   * completes the binding).
   *
   * @param claim the claim
   * @param storageClass its class
   * @param volume the driver's answer
   * @param driver the driver name (the CSI source and the {@code provisioned-by} annotation)
   * @return the PV
   */
  public static PersistentVolume persistentVolume(
      PersistentVolumeClaim claim, StorageClass storageClass, Volume volume, String driver) {
    String name = volumeName(claim);
    Quantity capacity =
        volume.getCapacityBytes() > 0
            ? new Quantity(Long.toString(volume.getCapacityBytes()))
            : requestedBytes(claim)
                .map(b -> claim.getSpec().getResources().getRequests().get("storage"))
                .orElse(new Quantity("0"));
    List<NodeSelectorTerm> terms = new ArrayList<>();
    for (Topology topology : volume.getAccessibleTopologyList()) {
      NodeSelectorTermBuilder term = new NodeSelectorTermBuilder();
      topology
          .getSegmentsMap()
          .forEach(
              (key, value) ->
                  term.addToMatchExpressions(
                      new NodeSelectorRequirementBuilder()
                          .withKey(key)
                          .withOperator("In")
                          .withValues(value)
                          .build()));
      terms.add(term.build());
    }
    PersistentVolumeBuilder pv =
        new PersistentVolumeBuilder()
            .withNewMetadata()
            .withName(name)
            .addToAnnotations(PROVISIONED_BY, driver)
            .endMetadata()
            .withNewSpec()
            .withAccessModes(claim.getSpec().getAccessModes())
            .addToCapacity("storage", capacity)
            .withNewClaimRef()
            .withApiVersion("v1")
            .withKind("PersistentVolumeClaim")
            .withNamespace(claim.getMetadata().getNamespace())
            .withName(claim.getMetadata().getName())
            .withUid(claim.getMetadata().getUid())
            .withResourceVersion(claim.getMetadata().getResourceVersion())
            .endClaimRef()
            .withPersistentVolumeReclaimPolicy(
                Objects.requireNonNullElse(storageClass.getReclaimPolicy(), "Delete"))
            .withStorageClassName(storageClass.getMetadata().getName())
            .withMountOptions(storageClass.getMountOptions())
            .withVolumeMode(
                Objects.requireNonNullElse(claim.getSpec().getVolumeMode(), "Filesystem"))
            .withNewCsi()
            .withDriver(driver)
            .withVolumeHandle(volume.getVolumeId())
            .withVolumeAttributes(new LinkedHashMap<>(volume.getVolumeContextMap()))
            .withFsType(
                Objects.requireNonNullElse(storageClass.getParameters(), Map.<String, String>of())
                    .get(FSTYPE))
            .endCsi()
            .endSpec();
    if (!terms.isEmpty()) {
      pv.editSpec()
          .withNewNodeAffinity()
          .withNewRequired()
          .withNodeSelectorTerms(terms)
          .endRequired()
          .endNodeAffinity()
          .endSpec();
    }
    return pv.build();
  }
}
