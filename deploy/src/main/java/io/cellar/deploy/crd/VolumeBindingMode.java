package io.cellar.deploy.crd;

/** When a PVC of a vineyard StorageClass is bound: the two modes the reference accepts. */
public enum VolumeBindingMode {
  /** Bind when a pod using the claim is scheduled (the default). */
  WaitForFirstConsumer,
  /** Bind at once. */
  Immediate
}
