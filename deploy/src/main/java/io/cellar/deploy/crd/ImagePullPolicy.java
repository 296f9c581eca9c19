package io.cellar.deploy.crd;

/** A container's image pull policy, as Kubernetes spells it. */
public enum ImagePullPolicy {
  /** Pull on every start. */
  Always,
  /** Pull only when the node lacks the image. */
  IfNotPresent,
  /** Never pull. */
  Never
}
