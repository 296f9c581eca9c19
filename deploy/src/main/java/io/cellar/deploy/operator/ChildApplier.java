package io.cellar.deploy.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies rendered children with server-side apply under one field manager, each on its own: a
 * child the API server refuses is reported and the others are still applied. Re-applying an
 * unchanged object changes nothing on the server, so a restart or a periodic reconcile creates no
 * duplicates and no events. Thread-safe (the client is).
 */
public final class ChildApplier {
  /** The field manager of everything the operator applies. */
  public static final String FIELD_MANAGER = "vineyard-operator";

  private final KubernetesClient client;
  private final String fieldManager;

  /**
   * Creates an applier.
   *
   * @param client the client
   * @param fieldManager the server-side apply field manager
   */
  public ChildApplier(KubernetesClient client, String fieldManager) {
    this.client = client;
    this.fieldManager = fieldManager;
  }

  /**
   * One child the server refused.
   *
   * @param kind its kind
   * @param name its name
   * @param reason the HTTP reason (Invalid, Forbidden, Conflict, ...) or the exception's type
   * @param message the server's message
   */
  public record Failure(String kind, String name, String reason, String message) {
    /** {@code Kind name: message}. */
    public String describe() {
      return kind + " " + name + ": " + message;
    }
  }

  /**
   * Applies each object.
   *
   * @param objects the desired objects
   * @return the failures, empty when every object was applied
   */
  public List<Failure> apply(List<? extends HasMetadata> objects) {
    List<Failure> failures = new ArrayList<>();
    for (HasMetadata object : objects) {
      try {
        apply(object);
      } catch (KubernetesClientException e) {
        failures.add(failure(object, e));
      }
    }
    return failures;
  }

  /**
   * Applies one object.
   *
   * @param object the desired object
   * @return the object as the server has it now
   * @throws KubernetesClientException if the server refuses it
   */
  public HasMetadata apply(HasMetadata object) {
    return client.resource(object).fieldManager(fieldManager).forceConflicts().serverSideApply();
  }

  /**
   * Describes a refusal.
   *
   * @param object what was refused
   * @param e the client's exception
   * @return the failure
   */
  public static Failure failure(HasMetadata object, KubernetesClientException e) {
    String reason =
        e.getStatus() != null && e.getStatus().getReason() != null
            ? e.getStatus().getReason()
            : e.getCode() > 0 ? "HTTP" + e.getCode() : e.getClass().getSimpleName();
    String message =
        e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage()
            : String.valueOf(e.getMessage());
    return new Failure(object.getKind(), object.getMetadata().getName(), reason, message);
  }
}
