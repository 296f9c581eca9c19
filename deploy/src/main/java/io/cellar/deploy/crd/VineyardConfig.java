package io.cellar.deploy.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.ArrayList;
import java.util.List;

/** {@code spec.vineyard}: the vineyardd container. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class VineyardConfig {
  /** The socket directory default, a template rendered against the resource. */
  public static final String DEFAULT_SOCKET =
      "/var/run/vineyard-kubernetes/{{.Namespace}}/{{.Name}}";

  /** The vineyardd image. */
  @JsonPropertyDescription("represent the vineyardd's image")
  @Default(Images.VINEYARDD)
  public String image = Images.VINEYARDD;

  /** Its pull policy. */
  @JsonPropertyDescription("the policy about pulling image")
  @Default("IfNotPresent")
  public ImagePullPolicy imagePullPolicy = ImagePullPolicy.IfNotPresent;

  /** Passed as {@code --sync_crds}. */
  @JsonProperty("syncCRDs")
  @JsonPropertyDescription("synchronize CRDs when persisting objects")
  @Default("true")
  public Boolean syncCRDs = true;

  /**
   * The host directory of the IPC socket ({@code <socket>/vineyard.sock}); {@code {{.Namespace}}}
   * and {@code {{.Name}}} are replaced by the resource's namespace and name.
   */
  @JsonPropertyDescription(
      "The directory on host for the IPC socket file. The UNIX-domain socket will be placed as"
          + " `${Socket}/vineyard.sock`.")
  @Default(DEFAULT_SOCKET)
  public String socket = DEFAULT_SOCKET;

  /** The shared memory limit (vineyardd's {@code --size}); empty means not limited. */
  @JsonPropertyDescription("shared memory size for vineyardd")
  @Default("''")
  public String size = "";

  /** Passed as {@code --reserve_memory}. */
  @JsonPropertyDescription("reserve the shared memory for vineyardd")
  @Default("false")
  public Boolean reserveMemory = false;

  /** Memory threshold of streams, percent. */
  @JsonPropertyDescription("memory threshold of streams (percentage of total memory)")
  @Default("80")
  @Min(0)
  @Max(100)
  public Long streamThreshold = 80L;

  /** Spilling. */
  @JsonPropertyDescription("the configuration of spilling")
  @Default("{}")
  public SpillConfig spill = new SpillConfig();

  /** Extra environment of the container. */
  @JsonPropertyDescription("vineyard environment configuration")
  public List<EnvVar> env = new ArrayList<>();

  /** Memory request and limit of the container (a quantity); empty means none. */
  @JsonPropertyDescription("the memory resources of vineyard container")
  @Default("''")
  public String memory = "";

  /** CPU request and limit of the container (a quantity); empty means none. */
  @JsonProperty("cpu")
  @JsonPropertyDescription("the cpu resources of vineyard container")
  @Default("''")
  public String cpu = "";

  /** Creates the defaults. */
  public VineyardConfig() {}
}
