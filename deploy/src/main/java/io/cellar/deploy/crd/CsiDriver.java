package io.cellar.deploy.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The vineyard CSI driver ({@code csidrivers.k8s.v6d.io}, kind {@code CSIDriver}, cluster-scoped):
 * the {@code storage.k8s.io} CSIDriver, the controller Deployment, the node DaemonSet, their RBAC
 * and one StorageClass per vineyard cluster. Not thread-safe (a plain model object).
 */
@Group(Vineyardd.GROUP)
@Version(Vineyardd.VERSION)
@Kind("CSIDriver")
@Plural("csidrivers")
@Singular("csidriver")
@AdditionalPrinterColumn(
    name = "State",
    jsonPath = ".status.state",
    type = AdditionalPrinterColumn.Type.STRING)
public final class CsiDriver extends CustomResource<CsiDriverSpec, CsiDriverStatus> {
  private static final long serialVersionUID = 1L;

  /** The CRD's name. */
  public static final String CRD_NAME = "csidrivers." + Vineyardd.GROUP;

  /** Creates an empty resource. */
  public CsiDriver() {}

  @Override
  protected CsiDriverSpec initSpec() {
    return new CsiDriverSpec();
  }

  @Override
  protected CsiDriverStatus initStatus() {
    return new CsiDriverStatus();
  }
}
