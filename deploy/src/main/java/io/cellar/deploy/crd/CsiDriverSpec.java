package io.cellar.deploy.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import java.util.ArrayList;
import java.util.List;

/** The spec of a {@link CsiDriver}: the reference's fields and defaults. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class CsiDriverSpec {
  /** The driver image (runs {@code vineyardctl csi}). */
  @JsonPropertyDescription("Image is the name of the csi driver image")
  @Default(Images.VINEYARDCTL)
  public String image = Images.VINEYARDCTL;

  /** The driver image's pull policy. */
  @JsonPropertyDescription("ImagePullPolicy is the image pull policy of the csi driver")
  @Default("IfNotPresent")
  public ImagePullPolicy imagePullPolicy = ImagePullPolicy.IfNotPresent;

  /**
   * Accepted for compatibility and unused, as in the reference: the classes are always named {@code
   * {namespace}.{name}.csi}.
   */
  @JsonPropertyDescription(
      "StorageClassName is the name of the storage class (unused: classes are named"
          + " {namespace}.{name}.csi)")
  @Default("vineyard-csi")
  public String storageClassName = "vineyard-csi";

  /** The StorageClasses' binding mode. */
  @JsonPropertyDescription("VolumeBindingMode is the volume binding mode of the storage class")
  @Default("WaitForFirstConsumer")
  public VolumeBindingMode volumeBindingMode = VolumeBindingMode.WaitForFirstConsumer;

  /** The sidecars. */
  @JsonPropertyDescription("Sidecar is the configuration for the CSI sidecar container")
  @Default("{}")
  public CsiSidecar sidecar = new CsiSidecar();

  /**
   * Cellar: {@code standard} runs the sidecar images of {@link #sidecar}; {@code builtin} runs none
   * and the driver container does their work.
   */
  @JsonPropertyDescription(
      "Sidecars chooses who does the CSI sidecars' work: standard (the sidecar images) or builtin"
          + " (the driver itself: kubelet registration, provisioning, liveness)")
  @Default("standard")
  public SidecarMode sidecars = SidecarMode.standard;

  /**
   * Cellar: run the controller and node pods in the host's network namespace (clusters without a
   * pod network; the health ports become host ports).
   */
  @JsonPropertyDescription(
      "HostNetwork runs the csi driver pods in the host's network namespace (their health ports"
          + " become host ports)")
  @Default("false")
  public Boolean hostNetwork = false;

  /**
   * Cellar: the kubelet's root directory on the nodes ({@code --root-dir}), where CSI sockets,
   * registrations and pod volumes live; distributions that move it (k0s, microk8s) set it here.
   */
  @JsonPropertyDescription(
      "KubeletDir is the kubelet's root directory on the nodes (its --root-dir)")
  @Default("/var/lib/kubelet")
  public String kubeletDir = "/var/lib/kubelet";

  /**
   * Cellar: the StorageClasses make DeleteVolume delete the objects named under {@link
   * #objectPrefix} (the claim's objects go with it; the reference leaves them). Every claim of one
   * cluster shares that prefix, so keep one claim per cluster at a time when this is on.
   */
  @JsonPropertyDescription(
      "DeleteObjects makes deleting a volume delete the objects named under objectPrefix in its"
          + " vineyard cluster")
  @Default("false")
  public Boolean deleteObjects = false;

  /** Cellar: the in-pod path under which the steps name their objects, with a trailing slash. */
  @JsonPropertyDescription(
      "ObjectPrefix is the in-pod path (the claim's mountPath and a slash) whose objects a"
          + " deleted volume takes with it, when deleteObjects is set")
  @Default("/vineyard/data/")
  @io.fabric8.generator.annotation.Pattern("^/.*$")
  public String objectPrefix = "/vineyard/data/";

  /** The vineyard clusters that get a StorageClass. */
  @JsonPropertyDescription("Clusters are the list of vineyard clusters")
  public List<VineyardCluster> clusters = new ArrayList<>();

  /** Whether the node plugin tolerates every taint. */
  @JsonPropertyDescription("EnableToleration is the flag to enable toleration for the csi driver")
  @Default("false")
  public Boolean enableToleration = false;

  /** Whether the driver logs every call. */
  @JsonPropertyDescription("EnableVerboseLog is the flag to enable verbose log for the csi driver")
  @Default("false")
  public Boolean enableVerboseLog = false;

  /** Creates the defaults. */
  public CsiDriverSpec() {}
}
