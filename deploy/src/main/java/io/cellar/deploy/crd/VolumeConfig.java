package io.cellar.deploy.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/**
 * {@code spec.volume}: a PVC for the socket directory instead of the host path (the CSI driver then
 * cannot publish it: it bind-mounts the host path).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class VolumeConfig {
  /** The claim's name; empty means the host path {@code spec.vineyard.socket}. */
  @JsonPropertyDescription("the name of pvc")
  @Default("''")
  public String pvcName = "";

  /**
   * Where the claim is mounted in the container (the socket is {@code <mountPath>/vineyard.sock}).
   */
  @JsonPropertyDescription("the mount path of pv")
  @Default("''")
  public String mountPath = "";

  /** Creates the defaults (host path). */
  public VolumeConfig() {}

  /** Whether a PVC replaces the host path. */
  public boolean usesClaim() {
    return pvcName != null && !pvcName.isEmpty();
  }
}
