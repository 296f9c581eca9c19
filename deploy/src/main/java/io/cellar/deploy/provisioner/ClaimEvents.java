package io.cellar.deploy.provisioner;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Core {@code v1} Events on a claim, as external-provisioner records them ({@code kubectl describe
 * pvc} shows them). Best effort: a refused event is logged, never fails provisioning. Thread-safe.
 */
final class ClaimEvents {
  private static final Logger LOG = LoggerFactory.getLogger(ClaimEvents.class);

  private final KubernetesClient client;
  private final String component;

  ClaimEvents(KubernetesClient client, String component) {
    this.client = client;
    this.component = component;
  }

  void normal(PersistentVolumeClaim claim, String reason, String message) {
    record(claim, "Normal", reason, message);
  }

  void warning(PersistentVolumeClaim claim, String reason, String message) {
    LOG.warn(
        "claim {}/{}: {}: {}",
        claim.getMetadata().getNamespace(),
        claim.getMetadata().getName(),
        reason,
        message);
    record(claim, "Warning", reason, message);
  }

  private void record(PersistentVolumeClaim claim, String type, String reason, String message) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    try {
      client
          .v1()
          .events()
          .inNamespace(claim.getMetadata().getNamespace())
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withGenerateName(claim.getMetadata().getName() + ".")
                  .withNamespace(claim.getMetadata().getNamespace())
                  .endMetadata()
                  .withNewInvolvedObject()
                  .withApiVersion("v1")
                  .withKind("PersistentVolumeClaim")
                  .withNamespace(claim.getMetadata().getNamespace())
                  .withName(claim.getMetadata().getName())
                  .withUid(claim.getMetadata().getUid())
                  .withResourceVersion(claim.getMetadata().getResourceVersion())
                  .endInvolvedObject()
                  .withType(type)
                  .withReason(reason)
                  .withMessage(message)
                  .withNewSource()
                  .withComponent(component)
                  .endSource()
                  .withFirstTimestamp(now)
                  .withLastTimestamp(now)
                  .withCount(1)
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      LOG.debug(
          "cannot record event {} on {}: {}",
          reason,
          claim.getMetadata().getName(),
          e.getMessage());
    }
  }
}
