package io.cellar.deploy.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** {@code spec.metric}: the optional metrics exporter sidecar of each vineyardd pod. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class MetricConfig {
  /** Whether the sidecar runs. */
  @JsonPropertyDescription("Enable metrics")
  @Default("false")
  public Boolean enable = false;

  /** The exporter image. */
  @JsonPropertyDescription("represent the metric's image")
  @Default(Images.METRICS)
  public String image = Images.METRICS;

  /** The exporter's pull policy. */
  @JsonPropertyDescription("the policy about pulling image")
  @Default("IfNotPresent")
  public ImagePullPolicy imagePullPolicy = ImagePullPolicy.IfNotPresent;

  /** Creates the defaults (no sidecar). */
  public MetricConfig() {}
}
