package io.cellar.deploy.render;

import io.cellar.deploy.crd.SpillConfig;
import io.cellar.deploy.crd.Vineyardd;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;

/**
 * The spill volume of a vineyard cluster ({@code spec.vineyard.spill}, or the reference sample's
 * {@code spec.spill}): the PersistentVolumeClaim {@code {spill.name}}, and when a PV spec is given
 * the PersistentVolume {@code {ns}-{spill.name}} the claim selects by label. Stateless;
 * thread-safe.
 */
public final class SpillResources {
  private SpillResources() {}

  /** The spill claim; the PV (if any) is pre-bound to it through its selector labels. */
  static PersistentVolumeClaim claim(Vineyardd v, SpillConfig spill, Owner owner) {
    PersistentVolumeClaimSpec spec =
        spill.persistentVolumeClaimSpec != null
            ? new PersistentVolumeClaimBuilder()
                .withSpec(spill.persistentVolumeClaimSpec)
                .build()
                .getSpec()
            : new PersistentVolumeClaimBuilder()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withNewResources()
                .addToRequests("storage", new Quantity("1Gi"))
                .endResources()
                .endSpec()
                .build()
                .getSpec();
    if (spill.persistentVolumeSpec != null && spec.getSelector() == null) {
      spec =
          new PersistentVolumeClaimBuilder()
              .withSpec(spec)
              .editSpec()
              .withNewSelector()
              .withMatchLabels(volumeLabels(v, spill))
              .endSelector()
              .endSpec()
              .build()
              .getSpec();
    }
    return new PersistentVolumeClaimBuilder()
        .withMetadata(VineyarddResources.meta(v, spill.name, owner))
        .withSpec(spec)
        .build();
  }

  /**
   * The spill PV. It is cluster-scoped, so the namespaced Vineyardd cannot own it (the garbage
   * collector would ignore the reference): it carries labels naming its cluster, and {@code
   * vineyardctl delete vineyardd} and the operator's cleanup delete it by them.
   */
  static PersistentVolume volume(Vineyardd v, SpillConfig spill, Owner owner) {
    Map<String, String> labels = volumeLabels(v, spill);
    labels.put(Labels.MANAGED_BY, owner.managedBy());
    labels.put(NAMESPACE_LABEL, v.getMetadata().getNamespace());
    return new PersistentVolumeBuilder()
        .withNewMetadata()
        .withName(v.getMetadata().getNamespace() + "-" + spill.name)
        .withLabels(labels)
        .endMetadata()
        .withSpec(spill.persistentVolumeSpec)
        .build();
  }

  /** The label on a spill PV that names the namespace of its Vineyardd. */
  public static final String NAMESPACE_LABEL = "app.vineyard.io/namespace";

  static Map<String, String> volumeLabels(Vineyardd v, SpillConfig spill) {
    return Labels.of(
        "app.kubernetes.io/name",
        spill.name,
        Labels.INSTANCE,
        VineyarddResources.instance(v),
        Labels.NAME,
        v.getMetadata().getName());
  }
}
