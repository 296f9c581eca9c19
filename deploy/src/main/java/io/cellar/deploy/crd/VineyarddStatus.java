package io.cellar.deploy.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import java.util.ArrayList;
import java.util.List;

/**
 * The status of a {@link Vineyardd}: ready vineyardd pods, the vineyardd Deployment's conditions,
 * and Cellar's own ({@code EtcdReady}, {@code Reconciled}) in the same shape.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class VineyarddStatus {
  /** Ready vineyardd replicas (the Deployment's readyReplicas). */
  @JsonProperty("current")
  @JsonPropertyDescription("Total replicas of current running vineyardd.")
  public Integer current;

  /** Ready etcd members (the StatefulSet's readyReplicas; Cellar). */
  @JsonPropertyDescription("Ready etcd members.")
  public Integer etcdReady;

  /** The generation the status describes (Cellar). */
  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  /** Conditions. */
  @JsonPropertyDescription("Represents the vineyardd deployment's current state.")
  public List<DeploymentCondition> conditions = new ArrayList<>();

  /** Creates an empty status. */
  public VineyarddStatus() {}
}
