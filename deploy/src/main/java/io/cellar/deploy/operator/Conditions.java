package io.cellar.deploy.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * Builds status conditions that keep their {@code lastTransitionTime} while their status stays the
 * same, so an unchanged state writes an unchanged status. Stateless; thread-safe.
 */
final class Conditions {
  private final Clock clock;

  Conditions(Clock clock) {
    this.clock = clock;
  }

  private String now() {
    return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** A metav1 Condition, keeping the transition time of {@code old}'s same-typed entry. */
  Condition condition(
      List<Condition> old,
      String type,
      boolean status,
      String reason,
      String message,
      Long generation) {
    String s = status ? "True" : "False";
    String since = now();
    if (old != null) {
      for (Condition c : old) {
        if (type.equals(c.getType())
            && s.equals(c.getStatus())
            && c.getLastTransitionTime() != null) {
          since = c.getLastTransitionTime();
        }
      }
    }
    return new ConditionBuilder()
        .withType(type)
        .withStatus(s)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(since)
        .build();
  }

  /** A Deployment-shaped condition (the Vineyardd status's shape), keeping its transition time. */
  DeploymentCondition deploymentCondition(
      List<DeploymentCondition> old, String type, boolean status, String reason, String message) {
    String s = status ? "True" : "False";
    String since = null;
    String updated = null;
    if (old != null) {
      for (DeploymentCondition c : old) {
        if (type.equals(c.getType()) && s.equals(c.getStatus())) {
          since = c.getLastTransitionTime();
          if (Objects.equals(reason, c.getReason()) && Objects.equals(message, c.getMessage())) {
            updated = c.getLastUpdateTime();
          }
        }
      }
    }
    String now = now();
    return new DeploymentConditionBuilder()
        .withType(type)
        .withStatus(s)
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime(since == null ? now : since)
        .withLastUpdateTime(updated == null ? now : updated)
        .build();
  }
}
