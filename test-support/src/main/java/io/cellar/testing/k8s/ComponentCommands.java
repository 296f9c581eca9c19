package io.cellar.testing.k8s;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command lines of the control plane's components, each on loopback with its files in the work
 * directory (flags as worked out in {@code reference/k8s-local.md}).
 *
 * <p>Immutable; safe from any thread.
 *
 * @param tools the binaries
 * @param layout the work directory
 * @param etcdClientPort etcd's client port
 * @param etcdPeerPort etcd's peer port
 * @param apiServerPort the API server's secure port
 * @param serviceClusterIpRange {@code --service-cluster-ip-range}
 * @param nodeAuthorization whether a real kubelet joins: the Node authorizer and the
 *     NodeRestriction admission plugin, the kubelet dialled at its InternalIP
 */
record ComponentCommands(
    KubeTools tools,
    PlaneLayout layout,
    int etcdClientPort,
    int etcdPeerPort,
    int apiServerPort,
    String serviceClusterIpRange,
    boolean nodeAuthorization) {

  /** The service-account token issuer (and so the default audience). */
  static final String SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";

  /** Pod IPs kwok hands out. They are never dialled. */
  static final String POD_CIDR = "10.244.0.0/16";

  /**
   * The IP kwok reports for its nodes: loopback but not 127.0.0.1, so the API server refuses to
   * proxy logs or exec to a node and no traffic leaves the machine.
   */
  static final String NODE_IP = "127.0.0.2";

  /** etcd's client URL. */
  String etcdUrl() {
    return "http://127.0.0.1:" + etcdClientPort;
  }

  /** The API server's URL. */
  String apiServerUrl() {
    return "https://127.0.0.1:" + apiServerPort;
  }

  List<String> etcd() {
    String peer = "http://127.0.0.1:" + etcdPeerPort;
    return List.of(
        tools.binary("etcd").toString(),
        "--name=cellar",
        "--data-dir=" + layout.etcdData(),
        "--listen-client-urls=" + etcdUrl(),
        "--advertise-client-urls=" + etcdUrl(),
        "--listen-peer-urls=" + peer,
        "--initial-advertise-peer-urls=" + peer,
        "--initial-cluster=cellar=" + peer,
        "--initial-cluster-state=new",
        // test data only: durability is not wanted, speed on a shared disk is
        "--unsafe-no-fsync=true");
  }

  List<String> apiServer() {
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            tools.binary("kube-apiserver").toString(),
            "--etcd-servers=" + etcdUrl(),
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            "--secure-port=" + apiServerPort,
            "--cert-dir=" + layout.pki(),
            "--service-cluster-ip-range=" + serviceClusterIpRange,
            "--service-account-issuer=" + SERVICE_ACCOUNT_ISSUER,
            "--service-account-key-file=" + layout.serviceAccountPublicKey(),
            "--service-account-signing-key-file=" + layout.serviceAccountKey(),
            "--token-auth-file=" + layout.tokenFile(),
            "--authorization-mode=" + (nodeAuthorization ? "Node,RBAC" : "RBAC"),
            // keeps 127.0.0.1 out of the kubernetes Service's endpoints
            "--endpoint-reconciler-type=none",
            "--allow-privileged=true",
            "--profiling=false"));
    if (nodeAuthorization) {
      command.add("--enable-admission-plugins=NodeRestriction");
      command.add("--kubelet-preferred-address-types=InternalIP,Hostname");
    }
    return List.copyOf(command);
  }

  List<String> controllerManager() {
    return List.of(
        tools.binary("kube-controller-manager").toString(),
        "--kubeconfig=" + layout.adminKubeconfig(),
        "--secure-port=0",
        "--leader-elect=false",
        "--service-account-private-key-file=" + layout.serviceAccountKey(),
        "--root-ca-file=" + layout.apiServerCert(),
        "--controllers=*",
        // by default it creates /usr/libexec/kubernetes/kubelet-plugins/volume/exec/ on the host
        "--flex-volume-plugin-dir=" + layout.flexVolume(),
        "--profiling=false");
  }

  List<String> scheduler() {
    return List.of(
        tools.binary("kube-scheduler").toString(),
        "--kubeconfig=" + layout.adminKubeconfig(),
        "--secure-port=0",
        "--leader-elect=false",
        "--profiling=false");
  }

  List<String> kwok() {
    List<String> command = new ArrayList<>();
    command.add(tools.binary("kwok").toString());
    command.add("--kubeconfig=" + layout.adminKubeconfig());
    for (Path stage : tools.kwokStages()) {
      command.add("--config=" + stage);
    }
    command.add("--manage-all-nodes=false");
    command.add(
        "--manage-nodes-with-annotation-selector="
            + FakeNodes.ANNOTATION
            + "="
            + FakeNodes.ANNOTATION_VALUE);
    command.add("--cidr=" + POD_CIDR);
    command.add("--node-ip=" + NODE_IP);
    return List.copyOf(command);
  }
}
