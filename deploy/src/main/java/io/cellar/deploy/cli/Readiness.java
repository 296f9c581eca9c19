package io.cellar.deploy.cli;

import io.cellar.deploy.crd.CsiDriver;
import io.cellar.deploy.crd.CsiDriverStatus;
import io.cellar.deploy.crd.Vineyardd;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether an object is ready, and if not, a short reason for the progress line. Workloads are ready
 * when their ready replicas reach the spec's (and the controller has seen the latest generation), a
 * CRD when it is Established, a Vineyardd when {@code status.current == spec.replicas}, a CSIDriver
 * when {@code status.state == running}. Everything else is ready once it exists. Stateless.
 */
final class Readiness {
  private Readiness() {}

  /** {@code Kind ns/name} or {@code Kind name}. */
  static String describe(HasMetadata o) {
    String ns = o.getMetadata().getNamespace();
    return o.getKind() + " " + (ns == null ? "" : ns + "/") + o.getMetadata().getName();
  }

  /**
   * Reads the object afresh and says what it still lacks.
   *
   * @param client the client
   * @param wanted the object as rendered (its kind, namespace and name are read)
   * @return empty when ready, else the reason
   */
  static Optional<String> notReady(KubernetesClient client, HasMetadata wanted) {
    HasMetadata live = client.resource(wanted).get();
    if (live == null) {
      return Optional.of(describe(wanted) + " (not created yet)");
    }
    String why =
        switch (live) {
          case Deployment d ->
              replicas(
                  d.getSpec().getReplicas(),
                  d.getStatus() == null ? null : d.getStatus().getReadyReplicas(),
                  d.getMetadata().getGeneration(),
                  d.getStatus() == null ? null : d.getStatus().getObservedGeneration());
          case StatefulSet s ->
              replicas(
                  s.getSpec().getReplicas(),
                  s.getStatus() == null ? null : s.getStatus().getReadyReplicas(),
                  s.getMetadata().getGeneration(),
                  s.getStatus() == null ? null : s.getStatus().getObservedGeneration());
          case DaemonSet d -> daemonSet(d);
          case CustomResourceDefinition c -> established(c);
          case Vineyardd v -> vineyardd(v);
          case CsiDriver c -> csiDriver(c);
          default -> null;
        };
    return why == null ? Optional.empty() : Optional.of(describe(wanted) + " (" + why + ")");
  }

  private static String replicas(Integer want, Integer ready, Long generation, Long observed) {
    int w = want == null ? 1 : want;
    int r = ready == null ? 0 : ready;
    if (observed == null || !Objects.equals(observed, generation)) {
      return r + "/" + w + " ready, rollout not observed yet";
    }
    return r >= w ? null : r + "/" + w + " ready";
  }

  private static String daemonSet(DaemonSet d) {
    var s = d.getStatus();
    if (s == null
        || s.getObservedGeneration() == null
        || !Objects.equals(s.getObservedGeneration(), d.getMetadata().getGeneration())) {
      return "not observed yet";
    }
    int want = s.getDesiredNumberScheduled() == null ? 0 : s.getDesiredNumberScheduled();
    int ready = s.getNumberReady() == null ? 0 : s.getNumberReady();
    return ready >= want ? null : ready + "/" + want + " nodes ready";
  }

  private static String established(CustomResourceDefinition c) {
    if (c.getStatus() != null && c.getStatus().getConditions() != null) {
      for (var cond : c.getStatus().getConditions()) {
        if ("Established".equals(cond.getType()) && "True".equals(cond.getStatus())) {
          return null;
        }
      }
    }
    return "not established";
  }

  private static String vineyardd(Vineyardd v) {
    int want = v.getSpec() == null || v.getSpec().replicas == null ? 3 : v.getSpec().replicas;
    var s = v.getStatus();
    if (s == null || s.current == null) {
      return "0/" + want + " vineyardd ready; is the operator running?";
    }
    if (s.current >= want
        && Objects.equals(s.observedGeneration, v.getMetadata().getGeneration())) {
      return null;
    }
    StringBuilder why = new StringBuilder(s.current + "/" + want + " vineyardd ready");
    if (s.etcdReady != null && v.getSpec() != null) {
      why.append(", ")
          .append(s.etcdReady)
          .append('/')
          .append(v.getSpec().etcdReplicas)
          .append(" etcd");
    }
    for (var c : s.conditions) {
      if ("Reconciled".equals(c.getType()) && "False".equals(c.getStatus())) {
        why.append("; ").append(c.getReason()).append(": ").append(c.getMessage());
      }
    }
    return why.toString();
  }

  private static String csiDriver(CsiDriver c) {
    var s = c.getStatus();
    if (s == null || s.state == null) {
      return "no status yet; is the operator running?";
    }
    StringBuilder why = new StringBuilder();
    for (Condition cond : s.conditions) {
      if ("False".equals(cond.getStatus())) {
        why.append(why.isEmpty() ? "" : "; ")
            .append(cond.getReason())
            .append(": ")
            .append(cond.getMessage());
      }
    }
    if (CsiDriverStatus.RUNNING.equals(s.state)
        && Objects.equals(s.observedGeneration, c.getMetadata().getGeneration())
        && why.isEmpty()) {
      return null;
    }
    return s.state + (why.isEmpty() ? "" : ", " + why);
  }
}
