/**
 * A real Kubernetes control plane for tests: etcd 3.6, kube-apiserver, controller-manager,
 * scheduler and kwok's fake nodes, all on loopback in a throw-away work directory, with the
 * binaries built once by {@code test-support/k8s/build-tools.sh}. Start one with {@link
 * io.cellar.testing.k8s.KubeControlPlane#builder()} or {@link
 * io.cellar.testing.k8s.KubeControlPlaneExtension}.
 */
package io.cellar.testing.k8s;
