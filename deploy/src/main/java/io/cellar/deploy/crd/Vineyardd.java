package io.cellar.deploy.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A vineyard cluster ({@code vineyardds.k8s.v6d.io}, namespaced): etcd, one vineyardd per node and
 * their Services. Not thread-safe (a plain model object).
 */
@Group(Vineyardd.GROUP)
@Version(Vineyardd.VERSION)
@Kind("Vineyardd")
@Plural("vineyardds")
@Singular("vineyardd")
@AdditionalPrinterColumn(
    name = "Current",
    jsonPath = ".status.current",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Desired",
    jsonPath = ".spec.replicas",
    type = AdditionalPrinterColumn.Type.STRING)
public final class Vineyardd extends CustomResource<VineyarddSpec, VineyarddStatus>
    implements Namespaced {
  private static final long serialVersionUID = 1L;

  /** The API group. */
  public static final String GROUP = "k8s.v6d.io";

  /** The API version. */
  public static final String VERSION = "v1alpha1";

  /** The CRD's name. */
  public static final String CRD_NAME = "vineyardds." + GROUP;

  /** Creates an empty resource. */
  public Vineyardd() {}

  @Override
  protected VineyarddSpec initSpec() {
    return new VineyarddSpec();
  }

  @Override
  protected VineyarddStatus initStatus() {
    return new VineyarddStatus();
  }
}
