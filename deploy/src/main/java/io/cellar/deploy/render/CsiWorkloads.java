package io.cellar.deploy.render;

import io.cellar.deploy.crd.CsiDriver;
import io.cellar.deploy.crd.CsiDriverSpec;
import io.cellar.deploy.crd.SidecarMode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The two workloads of a {@link CsiDriver}: the controller Deployment {@code {cr}-csi-driver}
 * (driver, csi-provisioner with {@code --extra-create-metadata}, livenessprobe; non-root, every
 * container as one user so they share the CSI socket) and the node DaemonSet {@code {cr}-csi-nodes}
 * (driver privileged as root with Bidirectional propagation of the kubelet directory,
 * node-driver-registrar, livenessprobe; no API token). With {@code sidecars: builtin} each pod
 * holds the driver container alone, started with the roles the sidecars would play ({@code
 * --provisioner} under a Lease in the controller, {@code --register-with-kubelet} on the nodes,
 * {@code --health-port} in both). {@code hostNetwork} and {@code kubeletDir} apply to both modes.
 * Stateless; thread-safe.
 */
final class CsiWorkloads {
  /** The non-root user of the controller pod (driver and sidecars share the socket). */
  static final long CONTROLLER_USER = 65532L;

  private static final int CONTROLLER_HEALTH_PORT = 9808;
  private static final int NODE_HEALTH_PORT = 9809;

  private CsiWorkloads() {}

  /** Whether the driver container does the sidecars' work ({@code sidecars: builtin}). */
  static boolean builtin(CsiDriver cr) {
    return cr.getSpec().sidecars == SidecarMode.builtin;
  }

  private static String kubeletDir(CsiDriver cr) {
    String dir = cr.getSpec().kubeletDir;
    return dir == null || dir.isEmpty() ? CsiResources.KUBELET_DIR : dir;
  }

  private static String pluginDir(CsiDriver cr) {
    return kubeletDir(cr) + "/plugins/" + CsiResources.DRIVER;
  }

  private static List<String> driverArgs(CsiDriver cr, List<String> roles) {
    List<String> args = new ArrayList<>();
    args.add("csi");
    args.add("--endpoint=unix:///csi/csi.sock");
    args.add("--nodeid=$(NODE_NAME)");
    args.addAll(roles);
    if (Boolean.TRUE.equals(cr.getSpec().enableVerboseLog)) {
      args.add("--verbose");
    }
    return args;
  }

  private static ContainerBuilder driver(CsiDriver cr, int healthPort, List<String> roles) {
    CsiDriverSpec spec = cr.getSpec();
    List<EnvVar> env = new ArrayList<>();
    env.add(PodParts.field("NODE_NAME", "spec.nodeName"));
    if (builtin(cr)) { // the provisioner's Lease: its namespace and this pod's identity in it
      env.add(PodParts.field("POD_NAME", "metadata.name"));
      env.add(PodParts.field("POD_NAMESPACE", "metadata.namespace"));
    }
    return new ContainerBuilder()
        .withName("vineyard-csi-driver")
        .withImage(spec.image)
        .withImagePullPolicy(spec.imagePullPolicy.name())
        .withCommand("vineyardctl")
        .withArgs(driverArgs(cr, roles))
        .withEnv(env)
        .addNewPort()
        .withName("healthz")
        .withContainerPort(healthPort)
        .withProtocol("TCP")
        .endPort()
        .withNewLivenessProbe()
        .withNewHttpGet()
        .withPath("/healthz")
        .withPort(new IntOrString("healthz"))
        .endHttpGet()
        .withInitialDelaySeconds(10)
        .withPeriodSeconds(20)
        .withTimeoutSeconds(5)
        .withFailureThreshold(5)
        .endLivenessProbe();
  }

  private static Container livenessProbe(CsiDriver cr, int port) {
    return new ContainerBuilder()
        .withName("liveness-probe")
        .withImage(cr.getSpec().sidecar.livenessProbeImage)
        .withImagePullPolicy(cr.getSpec().sidecar.imagePullPolicy.name())
        .withArgs("--csi-address=/csi/csi.sock", "--http-endpoint=:" + port, verbosity(cr))
        .addNewVolumeMount()
        .withName("socket-dir")
        .withMountPath("/csi")
        .endVolumeMount()
        .build();
  }

  private static String verbosity(CsiDriver cr) {
    return Boolean.TRUE.equals(cr.getSpec().enableVerboseLog) ? "--v=5" : "--v=2";
  }

  static Deployment controller(CsiDriver cr, String namespace, Owner owner) {
    CsiDriverSpec spec = cr.getSpec();
    List<String> provisionerArgs = new ArrayList<>();
    provisionerArgs.add("--csi-address=unix:///csi/csi.sock");
    provisionerArgs.add(verbosity(cr));
    provisionerArgs.add("--extra-create-metadata");
    if (Boolean.TRUE.equals(spec.sidecar.enableTopology)) {
      provisionerArgs.add("--feature-gates=Topology=true");
    }
    ObjectMeta meta =
        CsiResources.meta(
            cr, CsiResources.controllerName(cr), namespace, owner, Labels.ROLE_CSI_DRIVER);
    Map<String, String> selector =
        Labels.of("app", CsiResources.controllerName(cr), Labels.NAME, cr.getMetadata().getName());
    Map<String, String> podLabels = new java.util.LinkedHashMap<>(selector);
    podLabels.put(Labels.ROLE, Labels.ROLE_CSI_DRIVER);
    List<String> roles =
        builtin(cr)
            ? List.of("--provisioner", "--health-port=" + CONTROLLER_HEALTH_PORT)
            : List.of();
    Container driver =
        driver(cr, CONTROLLER_HEALTH_PORT, roles)
            .withSecurityContext(PodParts.restricted())
            .addNewVolumeMount()
            .withName("socket-dir")
            .withMountPath("/csi")
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("vineyard-sockets")
            .withMountPath(CsiResources.SOCKET_ROOT)
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("tmp")
            .withMountPath("/tmp")
            .endVolumeMount()
            .build();
    Container provisioner =
        new ContainerBuilder()
            .withName("csi-provisioner")
            .withImage(spec.sidecar.provisionerImage)
            .withImagePullPolicy(spec.sidecar.imagePullPolicy.name())
            .withArgs(provisionerArgs)
            .addNewVolumeMount()
            .withName("socket-dir")
            .withMountPath("/csi")
            .endVolumeMount()
            .build();
    return new DeploymentBuilder()
        .withMetadata(meta)
        .withNewSpec()
        .withReplicas(1)
        .withNewSelector()
        .withMatchLabels(selector)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(podLabels)
        .endMetadata()
        .withNewSpec()
        .withServiceAccountName(CsiResources.provisionerName(cr))
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(CONTROLLER_USER)
        .withRunAsGroup(CONTROLLER_USER)
        .withFsGroup(CONTROLLER_USER)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        // DeleteVolume of a delete-objects volume connects to the cluster's vineyardd on this node
        .withNewAffinity()
        .withNewPodAffinity()
        .addNewPreferredDuringSchedulingIgnoredDuringExecution()
        .withWeight(100)
        .withNewPodAffinityTerm()
        .withNewLabelSelector()
        .addToMatchLabels(Labels.ROLE, Labels.ROLE_VINEYARDD)
        .endLabelSelector()
        .withNamespaceSelector(new io.fabric8.kubernetes.api.model.LabelSelector())
        .withTopologyKey("kubernetes.io/hostname")
        .endPodAffinityTerm()
        .endPreferredDuringSchedulingIgnoredDuringExecution()
        .endPodAffinity()
        .endAffinity()
        .withHostNetwork(hostNetwork(cr))
        .withContainers(
            builtin(cr)
                ? List.of(driver)
                : List.of(driver, provisioner, livenessProbe(cr, CONTROLLER_HEALTH_PORT)))
        .withVolumes(
            new VolumeBuilder().withName("socket-dir").withNewEmptyDir().endEmptyDir().build(),
            new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build(),
            hostPath("vineyard-sockets", CsiResources.SOCKET_ROOT))
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  static DaemonSet nodes(CsiDriver cr, String namespace, Owner owner) {
    CsiDriverSpec spec = cr.getSpec();
    String pluginDir = pluginDir(cr);
    List<String> roles =
        builtin(cr)
            ? List.of(
                "--register-with-kubelet=" + kubeletDir(cr),
                "--kubelet-registration-path=" + pluginDir + "/csi.sock",
                "--health-port=" + NODE_HEALTH_PORT)
            : List.of();
    ObjectMeta meta =
        CsiResources.meta(cr, CsiResources.nodesName(cr), namespace, owner, Labels.ROLE_CSI_NODES);
    Map<String, String> selector =
        Labels.of("app", CsiResources.nodesName(cr), Labels.NAME, cr.getMetadata().getName());
    Map<String, String> podLabels = new java.util.LinkedHashMap<>(selector);
    podLabels.put(Labels.ROLE, Labels.ROLE_CSI_NODES);
    Container driver =
        driver(cr, NODE_HEALTH_PORT, roles)
            .withNewSecurityContext()
            .withPrivileged(true)
            .withRunAsUser(0L)
            .endSecurityContext()
            .addNewVolumeMount()
            .withName("socket-dir")
            .withMountPath("/csi")
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("kubelet-dir")
            .withMountPath(kubeletDir(cr))
            .withMountPropagation("Bidirectional")
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("vineyard-sockets")
            .withMountPath(CsiResources.SOCKET_ROOT)
            .endVolumeMount()
            .build();
    Container registrar =
        new ContainerBuilder()
            .withName("node-driver-registrar")
            .withImage(spec.sidecar.nodeRegistrarImage)
            .withImagePullPolicy(spec.sidecar.imagePullPolicy.name())
            .withArgs(
                "--csi-address=/csi/csi.sock",
                "--kubelet-registration-path=" + pluginDir + "/csi.sock",
                verbosity(cr))
            .withNewSecurityContext()
            .withRunAsUser(0L)
            .endSecurityContext()
            .addNewVolumeMount()
            .withName("socket-dir")
            .withMountPath("/csi")
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("registration-dir")
            .withMountPath("/registration")
            .endVolumeMount()
            .build();
    List<Toleration> tolerations = new ArrayList<>();
    if (Boolean.TRUE.equals(spec.enableToleration)) {
      tolerations.add(new TolerationBuilder().withOperator("Exists").build());
    }
    return new DaemonSetBuilder()
        .withMetadata(meta)
        .withNewSpec()
        .withNewSelector()
        .withMatchLabels(selector)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(podLabels)
        .endMetadata()
        .withNewSpec()
        .withAutomountServiceAccountToken(false)
        .withTolerations(tolerations)
        .withHostNetwork(hostNetwork(cr))
        .withContainers(
            builtin(cr)
                ? List.of(driver)
                : List.of(driver, registrar, livenessProbe(cr, NODE_HEALTH_PORT)))
        .withVolumes(nodeVolumes(cr, pluginDir))
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  // The socket root (vineyard-sockets) is mounted without propagation: the vineyardd pods create
  // directories and sockets there, never mounts, and those show through a plain bind mount. Asking
  // for HostToContainer would demand a shared or slave host mount (a private / refuses the pod).
  private static List<Volume> nodeVolumes(CsiDriver cr, String pluginDir) {
    List<Volume> volumes = new ArrayList<>();
    volumes.add(hostPath("socket-dir", pluginDir));
    volumes.add(hostPath("kubelet-dir", kubeletDir(cr), "Directory"));
    if (!builtin(cr)) { // the built-in registration reaches plugins_registry through kubelet-dir
      volumes.add(hostPath("registration-dir", kubeletDir(cr) + "/plugins_registry"));
    }
    volumes.add(hostPath("vineyard-sockets", CsiResources.SOCKET_ROOT));
    return volumes;
  }

  private static Boolean hostNetwork(CsiDriver cr) {
    return Boolean.TRUE.equals(cr.getSpec().hostNetwork) ? Boolean.TRUE : null;
  }

  private static Volume hostPath(String name, String path) {
    return hostPath(name, path, "DirectoryOrCreate");
  }

  private static Volume hostPath(String name, String path, String type) {
    return new VolumeBuilder()
        .withName(name)
        .withNewHostPath()
        .withPath(path)
        .withType(type)
        .endHostPath()
        .build();
  }
}
