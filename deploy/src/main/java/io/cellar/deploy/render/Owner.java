package io.cellar.deploy.render;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.List;

/**
 * Who a rendered child belongs to, and so which owner reference and managed-by label it carries.
 *
 * <p>A cluster-scoped owner (a CSIDriver) may own namespaced and cluster-scoped children; a
 * namespaced owner (a Vineyardd) owns only children in its own namespace (the garbage collector
 * ignores any other owner reference). Immutable.
 *
 * @param reference the controller owner reference, or null for none
 * @param managedBy the value of {@link Labels#MANAGED_BY}
 */
public record Owner(OwnerReference reference, String managedBy) {

  /**
   * The operator owns the child through a controller reference to {@code owner}.
   *
   * @param owner the custom resource (its uid must be set)
   * @return the owner
   */
  public static Owner operator(HasMetadata owner) {
    return new Owner(reference(owner), Labels.OPERATOR);
  }

  /**
   * {@code vineyardctl} applies the child itself; with {@code owner} non-null the child also gets a
   * controller reference to it ({@code --owner-references}).
   *
   * @param owner the owner resource or null
   * @return the owner
   */
  public static Owner vineyardctl(HasMetadata owner) {
    return new Owner(owner == null ? null : reference(owner), Labels.VINEYARDCTL);
  }

  /** The owner references to set: none or one. */
  public List<OwnerReference> references() {
    return reference == null ? List.of() : List.of(reference);
  }

  private static OwnerReference reference(HasMetadata owner) {
    if (owner.getMetadata() == null || owner.getMetadata().getUid() == null) {
      throw new IllegalArgumentException(
          owner.getKind() + " " + owner.getMetadata().getName() + " has no uid to own children");
    }
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }
}
