package io.cellar.deploy.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeSpec;

/**
 * {@code spec.vineyard.spill}: where vineyardd spills objects when memory runs short. With a name,
 * a PersistentVolumeClaim of that name (and a PersistentVolume, when its spec is given) backs the
 * spill path.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class SpillConfig {
  /** A rate: a number from 0 to 1, written as a string as the reference does ("0.3"). */
  public static final String RATE_PATTERN = "^(0(\\.[0-9]+)?|0?\\.[0-9]+|1(\\.0*)?)$";

  /** The name of the spill volume (PVC and PV); empty means no spilling. */
  @JsonPropertyDescription("the name of the spill config")
  @Default("''")
  public String name = "";

  /** The spill directory inside the vineyardd container. */
  @JsonPropertyDescription("the path of spilling")
  @Default("''")
  public String path = "";

  /** Low watermark: spilling stops below this share of memory. */
  @JsonPropertyDescription("low watermark of spilling memory, a number from 0 to 1")
  @Default("'0.3'")
  @Pattern(RATE_PATTERN)
  public String spillLowerRate = "0.3";

  /** High watermark: spilling starts above this share of memory. */
  @JsonPropertyDescription("high watermark of triggering spilling, a number from 0 to 1")
  @Default("'0.8'")
  @Pattern(RATE_PATTERN)
  public String spillUpperRate = "0.8";

  /** The spec of the spill PersistentVolume (none is created when empty). */
  @JsonPropertyDescription("the PersistentVolumeSpec of the spilling PV")
  public PersistentVolumeSpec persistentVolumeSpec;

  /** The spec of the spill PersistentVolumeClaim. */
  @JsonPropertyDescription("the PersistentVolumeClaimSpec of the spill file")
  public PersistentVolumeClaimSpec persistentVolumeClaimSpec;

  /** Creates the defaults (no spilling). */
  public SpillConfig() {}

  /** Whether spilling is configured (a name is set). */
  public boolean enabled() {
    return name != null && !name.isEmpty();
  }
}
