package io.cellar.deploy.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.List;

/**
 * The spec of a {@link Vineyardd}: the reference's fields with its defaults, plus {@code etcd}
 * (Cellar) and the top-level {@code spill} that the reference's own sample uses.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class VineyarddSpec {
  /** How many vineyardd pods (one per node). */
  @JsonPropertyDescription("Replicas is the number of vineyardd pods to deploy")
  @Default("3")
  @Min(0)
  public Integer replicas = 3;

  /** How many etcd members. */
  @JsonPropertyDescription("EtcdReplicas describe the etcd replicas")
  @Default("1")
  @Min(1)
  public Integer etcdReplicas = 1;

  /**
   * Cellar: run vineyardd and etcd in the host's network namespace (clusters without a pod network
   * or cluster DNS). vineyardd then reaches etcd by its client Service's address from the
   * environment the kubelet gives a pod ({@code {SERVICE}_SERVICE_HOST}), not by DNS; etcd has one
   * member (its peers would need DNS names).
   */
  @JsonPropertyDescription(
      "HostNetwork runs vineyardd and etcd in the host's network namespace; etcd is reached by"
          + " its Service's address, not by DNS, and has one member")
  @Default("false")
  public Boolean hostNetwork = false;

  /** The etcd StatefulSet (Cellar). */
  @JsonPropertyDescription("the etcd StatefulSet: image and persistent volume of each member")
  @Default("{}")
  public EtcdConfig etcd = new EtcdConfig();

  /** The RPC Service. */
  @JsonPropertyDescription("vineyardd's service")
  @Default("{}")
  public ServiceConfig service = new ServiceConfig();

  /** The vineyardd container. */
  @JsonPropertyDescription("vineyard container configuration")
  @Default("{}")
  public VineyardConfig vineyard = new VineyardConfig();

  /**
   * Spilling, at the place the reference's sample writes it ({@code spec.spill}). The reference's
   * CRD has no such field and drops it; Cellar uses it when {@code spec.vineyard.spill} names no
   * volume.
   */
  @JsonPropertyDescription(
      "spilling as the reference's sample writes it; used when vineyard.spill has no name")
  public SpillConfig spill;

  /** The operation job images (kept for compatibility). */
  @JsonPropertyDescription("operation container configuration")
  @Default("{}")
  public PluginImageConfig pluginImage = new PluginImageConfig();

  /** The metrics sidecar. */
  @JsonPropertyDescription("metric container configuration")
  @Default("{}")
  public MetricConfig metric = new MetricConfig();

  /** A PVC for the socket instead of the host path. */
  @JsonPropertyDescription("Volume configuration")
  @Default("{}")
  public VolumeConfig volume = new VolumeConfig();

  /** The vineyardd container's security context, passed through. */
  @JsonPropertyDescription(
      "SecurityContext holds the security context settings for the vineyardd container.")
  public SecurityContext securityContext;

  /** Extra volumes of the vineyardd pods. */
  @JsonPropertyDescription(
      "Volumes is the list of Kubernetes volumes that can be mounted by the vineyard deployment.")
  public List<Volume> volumes = new ArrayList<>();

  /** Mounts of {@link #volumes} in the vineyardd container. */
  @JsonPropertyDescription(
      "VolumeMounts specifies the volumes listed in \".spec.volumes\" to mount into the vineyard"
          + " deployment.")
  public List<VolumeMount> volumeMounts = new ArrayList<>();

  /** Creates the defaults. */
  public VineyarddSpec() {}

  /** The spill configuration in force: {@code vineyard.spill} if named, else {@code spill}. */
  public SpillConfig effectiveSpill() {
    if (vineyard != null && vineyard.spill != null && vineyard.spill.enabled()) {
      return vineyard.spill;
    }
    return spill != null && spill.enabled() ? spill : new SpillConfig();
  }
}
