/**
 * The Kubernetes CSI driver {@code csi.vineyard.v6d.io}: Identity, Controller and Node services
 * served by {@link io.cellar.csi.CsiServer} over gRPC on a UNIX socket. A volume is a handle to
 * "the vineyard cluster {@code <ns>/<name>} on this node"; publishing it bind-mounts that cluster's
 * socket directory into the pod.
 */
package io.cellar.csi;
