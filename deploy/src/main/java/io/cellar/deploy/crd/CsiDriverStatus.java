package io.cellar.deploy.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** The status of a {@link CsiDriver}: {@code state} as in the reference, plus conditions. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class CsiDriverStatus {
  /** Workloads ready. */
  public static final String RUNNING = "running";

  /** Workloads not (yet) ready, or a problem named by a condition. */
  public static final String PENDING = "pending";

  /** {@value #RUNNING} or {@value #PENDING}. */
  @JsonPropertyDescription("State is the state of the csi driver")
  public String state;

  /** The generation the status describes. */
  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  /** Conditions ({@code Ready}, {@code ClustersFound}, {@code Reconciled}). */
  @JsonPropertyDescription("Conditions: Ready, ClustersFound, Reconciled")
  public List<Condition> conditions = new ArrayList<>();

  /** Creates an empty status. */
  public CsiDriverStatus() {}
}
