package io.cellar.deploy.crd;

/** The type of the {@code {name}-rpc} Service. */
public enum ServiceType {
  /** A cluster-internal virtual IP. */
  ClusterIP,
  /** A port on every node. */
  NodePort,
  /** A cloud load balancer. */
  LoadBalancer
}
