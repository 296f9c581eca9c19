package io.cellar.deploy.crd;

/**
 * {@code spec.sidecars} of a {@link CsiDriver} (Cellar): who does what the CSI sidecars do. The
 * constants are spelled as the resource writes them.
 */
public enum SidecarMode {
  /**
   * The Kubernetes CSI project's sidecar images beside the driver (the default, as the reference
   * deploys it): csi-provisioner, node-driver-registrar, livenessprobe.
   */
  standard,
  /**
   * No sidecar image: the driver container itself registers with the kubelet, provisions volumes
   * under a Lease and serves {@code /healthz} ({@code vineyardctl csi --register-with-kubelet},
   * {@code --provisioner}, {@code --health-port}).
   */
  builtin
}
