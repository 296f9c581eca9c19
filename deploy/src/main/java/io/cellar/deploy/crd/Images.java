package io.cellar.deploy.crd;

/**
 * The default container images. The vineyardd and vineyardctl images are Cellar's own (built from
 * {@code deploy/docker/}); the sidecars are the Kubernetes CSI project's.
 */
public final class Images {
  /** The vineyardd server image (Cellar's store-server on a jlink'd Java runtime). */
  public static final String VINEYARDD = "cellar/vineyardd:latest";

  /** The vineyardctl image: the operator ({@code vineyardctl manager}) and the CSI driver. */
  public static final String VINEYARDCTL = "cellar/vineyardctl:latest";

  /** etcd for the metadata of a vineyard cluster. */
  public static final String ETCD = "quay.io/coreos/etcd:v3.6.4";

  /** The external provisioner sidecar. */
  public static final String CSI_PROVISIONER = "registry.k8s.io/sig-storage/csi-provisioner:v5.2.0";

  /** The attacher sidecar: accepted in the spec, not deployed (the driver needs no attach). */
  public static final String CSI_ATTACHER = "registry.k8s.io/sig-storage/csi-attacher:v4.8.0";

  /** The node driver registrar sidecar. */
  public static final String CSI_NODE_REGISTRAR =
      "registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.13.0";

  /** The liveness probe sidecar. */
  public static final String CSI_LIVENESS_PROBE =
      "registry.k8s.io/sig-storage/livenessprobe:v2.15.0";

  /** The metrics exporter sidecar of vineyardd ({@code spec.metric}). */
  public static final String METRICS = "vineyardcloudnative/vineyard-grok-exporter:latest";

  private Images() {}
}
