/**
 * The custom resources of group {@code k8s.v6d.io/v1alpha1}: {@link io.cellar.deploy.crd.Vineyardd}
 * (namespaced) and {@link io.cellar.deploy.crd.CsiDriver} (cluster-scoped, kind {@code CSIDriver}),
 * with the reference's fields and defaults. The CRDs are generated from these types at build time.
 */
package io.cellar.deploy.crd;
