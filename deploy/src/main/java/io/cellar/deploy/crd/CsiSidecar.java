package io.cellar.deploy.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** {@code spec.sidecar} of a {@link CsiDriver}: the CSI sidecar containers. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class CsiSidecar {
  /** The external provisioner. */
  @JsonPropertyDescription("ProvisionerImage is the image of the provisioner sidecar")
  @Default(Images.CSI_PROVISIONER)
  public String provisionerImage = Images.CSI_PROVISIONER;

  /**
   * The attacher: accepted for compatibility, not deployed (the {@code storage.k8s.io} CSIDriver
   * says attachRequired false, so nothing attaches).
   */
  @JsonPropertyDescription(
      "AttacherImage is the image of the attacher sidecar (unused: the driver needs no attach)")
  @Default(Images.CSI_ATTACHER)
  public String attacherImage = Images.CSI_ATTACHER;

  /** The node driver registrar. */
  @JsonPropertyDescription("NodeRegistrarImage is the image of the node registrar sidecar")
  @Default(Images.CSI_NODE_REGISTRAR)
  public String nodeRegistrarImage = Images.CSI_NODE_REGISTRAR;

  /** The liveness probe. */
  @JsonPropertyDescription("LivenessProbeImage is the image of the liveness probe sidecar")
  @Default(Images.CSI_LIVENESS_PROBE)
  public String livenessProbeImage = Images.CSI_LIVENESS_PROBE;

  /** The sidecars' pull policy. */
  @JsonPropertyDescription("ImagePullPolicy is the image pull policy of all sidecar containers")
  @Default("Always")
  public ImagePullPolicy imagePullPolicy = ImagePullPolicy.Always;

  /** Whether the provisioner reports topology (PVs get node affinity). */
  @JsonPropertyDescription("EnableTopology is the flag to enable topology for the csi driver")
  @Default("false")
  public Boolean enableTopology = false;

  /** Creates the defaults. */
  public CsiSidecar() {}
}
