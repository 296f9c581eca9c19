package io.cellar.testing.k8s;

import java.nio.file.Path;
import java.util.List;

/**
 * The files and command lines of the real node's containerd and kubelet, with the settings of
 * {@code reference/k8s-node.md}: every one of them was a failure first.
 *
 * <pre>
 * root/
 *   containerd/config.toml, root/, state/, containerd.sock, runc/, opt/
 *   cni/10-lo-only.conflist   the loopback-only CNI config
 *   kubelet/                  --root-dir, bind-mounted onto itself and made rshared
 *   kubelet.yaml, kubelet.kubeconfig
 *   pod-logs/, volume-plugins/
 *   logs/containerd.log, logs/kubelet.log
 * </pre>
 *
 * <p>Immutable; safe from any thread.
 *
 * @param root the node's work directory
 * @param pauseImage the sandbox image (imported before the kubelet starts)
 * @param kubeletPort the kubelet's API port on 127.0.0.1
 * @param healthzPort the kubelet's healthz port on 127.0.0.1
 */
record NodeFiles(Path root, String pauseImage, int kubeletPort, int healthzPort) {

  /** The node's name, InternalIP and Hostname ({@code --hostname-override}). */
  static final String NODE_NAME = "127.0.0.1";

  Path containerd() {
    return root.resolve("containerd");
  }

  Path containerdConfig() {
    return containerd().resolve("config.toml");
  }

  Path containerdSocket() {
    return containerd().resolve("containerd.sock");
  }

  Path cniDir() {
    return root.resolve("cni");
  }

  Path kubeletRoot() {
    return root.resolve("kubelet");
  }

  Path kubeletConfig() {
    return root.resolve("kubelet.yaml");
  }

  Path kubeletKubeconfig() {
    return root.resolve("kubelet.kubeconfig");
  }

  Path logs() {
    return root.resolve("logs");
  }

  Path podLogs() {
    return root.resolve("pod-logs");
  }

  Path volumePlugins() {
    return root.resolve("volume-plugins");
  }

  List<Path> directories() {
    return List.of(
        containerd(),
        containerd().resolve("root"),
        containerd().resolve("state"),
        containerd().resolve("runc"),
        containerd().resolve("opt"),
        cniDir(),
        kubeletRoot(),
        logs(),
        podLogs(),
        volumePlugins());
  }

  /** containerd 1.6's config (version 2). */
  String containerdToml() {
    Path c = containerd();
    return """
        version = 2
        root = "%s"
        state = "%s"
        [grpc]
          address = "%s"
        [ttrpc]
          address = "%s"
        [debug]
          address = ""
        [metrics]
          address = ""
        [plugins."io.containerd.internal.v1.opt"]
          path = "%s"
        [plugins."io.containerd.grpc.v1.cri"]
          sandbox_image = "%s"
          restrict_oom_score_adj = true
          stream_server_address = "127.0.0.1"
          stream_server_port = "0"
          enable_selinux = false
          [plugins."io.containerd.grpc.v1.cri".containerd]
            snapshotter = "overlayfs"
            default_runtime_name = "runc"
            [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
              runtime_type = "io.containerd.runc.v2"
              [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                SystemdCgroup = false
                Root = "%s"
          [plugins."io.containerd.grpc.v1.cri".cni]
            bin_dir = "/usr/lib/cni"
            conf_dir = "%s"
        """
        .formatted(
            c.resolve("root"),
            c.resolve("state"),
            containerdSocket(),
            c.resolve("containerd.sock.ttrpc"),
            c.resolve("opt"),
            pauseImage,
            c.resolve("runc"),
            cniDir());
  }

  /** No bridge, no address: the node turns Ready, a pod without hostNetwork fails safely. */
  static String loopbackCni() {
    return """
        {"cniVersion": "0.3.1", "name": "lo-only", "plugins": [{"type": "loopback"}]}
        """;
  }

  /** The KubeletConfiguration. */
  String kubeletYaml() {
    return """
        apiVersion: kubelet.config.k8s.io/v1beta1
        kind: KubeletConfiguration
        address: 127.0.0.1
        port: %d
        readOnlyPort: 0
        healthzBindAddress: 127.0.0.1
        healthzPort: %d
        cgroupDriver: cgroupfs
        failSwapOn: false
        makeIPTablesUtilChains: false
        podLogsDir: %s
        volumePluginDir: %s
        staticPodPath: ""
        authentication:
          anonymous:
            enabled: true
          webhook:
            enabled: false
        authorization:
          mode: AlwaysAllow
        evictionHard:
          memory.available: "100Mi"
          nodefs.available: "1%%"
          imagefs.available: "1%%"
        imageGCHighThresholdPercent: 100
        imageGCLowThresholdPercent: 99
        serializeImagePulls: false
        enableServer: true
        registerNode: true
        """
        .formatted(kubeletPort, healthzPort, podLogs(), volumePlugins());
  }

  /** containerd's command line. */
  List<String> containerdCommand() {
    return List.of("containerd", "--config", containerdConfig().toString());
  }

  /** The kubelet's command line. */
  List<String> kubeletCommand(KubeTools tools) {
    return List.of(
        tools.binary("kubelet").toString(),
        "--config=" + kubeletConfig(),
        "--kubeconfig=" + kubeletKubeconfig(),
        "--container-runtime-endpoint=unix://" + containerdSocket(),
        "--hostname-override=" + NODE_NAME,
        "--root-dir=" + kubeletRoot(),
        "--v=1");
  }
}
