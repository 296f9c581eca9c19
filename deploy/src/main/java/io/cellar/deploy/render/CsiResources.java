package io.cellar.deploy.render;

import io.cellar.deploy.crd.CsiDriver;
import io.cellar.deploy.crd.CsiDriverSpec;
import io.cellar.deploy.crd.VineyardCluster;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.storage.CSIDriverBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The objects of a {@link CsiDriver}: the {@code storage.k8s.io/v1} CSIDriver {@value #DRIVER}
 * (attachRequired false, podInfoOnMount true, fsGroupPolicy None so the kubelet never chowns the
 * host's socket directory), the controller Deployment {@code {cr}-csi-driver} (driver,
 * csi-provisioner with {@code --extra-create-metadata}, livenessprobe; non-root), the node
 * DaemonSet {@code {cr}-csi-nodes} (driver, node-driver-registrar, livenessprobe; the driver is
 * privileged with Bidirectional propagation of the kubelet directory), the provisioner's
 * ServiceAccount and cluster RBAC, and one StorageClass {@code {ns}.{name}.csi} per cluster.
 *
 * <p>The CR is cluster-scoped, so its namespaced children (the workloads and the ServiceAccount)
 * live in the operator's namespace, passed in here; they carry a controller owner reference to the
 * CR, which the garbage collector honours for a cluster-scoped owner. Stateless; thread-safe.
 */
public final class CsiResources {
  /** The CSI driver's name. */
  public static final String DRIVER = "csi.vineyard.v6d.io";

  /** The StorageClass parameter naming the cluster's namespace. */
  public static final String NAMESPACE_PARAMETER = "k8s.v6d.io/vineyard/namespace";

  /** The StorageClass parameter naming the cluster's Vineyardd. */
  public static final String NAME_PARAMETER = "k8s.v6d.io/vineyard/name";

  /** Where vineyard clusters' socket directories live on each node. */
  public static final String SOCKET_ROOT = "/var/run/vineyard-kubernetes";

  /** The kubelet's directory. */
  public static final String KUBELET_DIR = "/var/lib/kubelet";

  /** The non-root user of the controller pod (driver and sidecars share the socket). */
  static final long CONTROLLER_USER = 65532L;

  private static final int CONTROLLER_HEALTH_PORT = 9808;
  private static final int NODE_HEALTH_PORT = 9809;

  private CsiResources() {}

  /** The controller Deployment's name. */
  public static String controllerName(CsiDriver cr) {
    return cr.getMetadata().getName() + "-csi-driver";
  }

  /** The node DaemonSet's name. */
  public static String nodesName(CsiDriver cr) {
    return cr.getMetadata().getName() + "-csi-nodes";
  }

  /** The provisioner's ClusterRole, ClusterRoleBinding and ServiceAccount name. */
  public static String provisionerName(CsiDriver cr) {
    return cr.getMetadata().getName() + "-csi-provisioner";
  }

  /**
   * Renders every object.
   *
   * @param cr the resource (defaults filled in)
   * @param namespace where the namespaced children go (the operator's namespace)
   * @param clusters the clusters that get a StorageClass
   * @param owner who owns them
   * @return the objects, cluster-scoped ones first
   */
  public static List<HasMetadata> render(
      CsiDriver cr, String namespace, List<VineyardCluster> clusters, Owner owner) {
    List<HasMetadata> out = new ArrayList<>();
    out.add(
        new CSIDriverBuilder()
            .withMetadata(meta(cr, DRIVER, null, owner, null))
            .withNewSpec()
            .withAttachRequired(false)
            .withPodInfoOnMount(true)
            .withFsGroupPolicy("None")
            .withRequiresRepublish(false)
            .withStorageCapacity(false)
            .withVolumeLifecycleModes("Persistent")
            .endSpec()
            .build());
    out.add(clusterRole(cr, owner));
    out.add(clusterRoleBinding(cr, namespace, owner));
    for (VineyardCluster cluster : clusters) {
      out.add(storageClass(cr, cluster, owner));
    }
    out.add(serviceAccount(cr, namespace, owner));
    out.add(controller(cr, namespace, owner));
    out.add(nodes(cr, namespace, owner));
    return out;
  }

  private static ObjectMeta meta(
      CsiDriver cr, String name, String namespace, Owner owner, String role) {
    Map<String, String> labels =
        Labels.of(Labels.NAME, cr.getMetadata().getName(), Labels.MANAGED_BY, owner.managedBy());
    if (role != null) {
      labels.put("app", name);
      labels.put(Labels.ROLE, role);
    }
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(labels)
        .withOwnerReferences(owner.references())
        .build();
  }

  static StorageClass storageClass(CsiDriver cr, VineyardCluster cluster, Owner owner) {
    ObjectMeta meta = meta(cr, cluster.storageClassName(), null, owner, null);
    meta.getLabels().put(Labels.INSTANCE, cluster.namespace + "-" + cluster.name);
    return new StorageClassBuilder()
        .withMetadata(meta)
        .withProvisioner(DRIVER)
        .addToParameters(NAMESPACE_PARAMETER, cluster.namespace)
        .addToParameters(NAME_PARAMETER, cluster.name)
        .withVolumeBindingMode(cr.getSpec().volumeBindingMode.name())
        .withReclaimPolicy("Delete")
        .withAllowVolumeExpansion(false)
        .build();
  }

  /** What csi-provisioner (with --extra-create-metadata, optionally topology) needs. */
  public static List<PolicyRule> provisionerRules() {
    return List.of(
        rule("", "persistentvolumes", "get", "list", "watch", "create", "patch", "delete"),
        rule("", "persistentvolumeclaims", "get", "list", "watch", "update", "patch"),
        rule("storage.k8s.io", "storageclasses", "get", "list", "watch"),
        rule("", "events", "get", "list", "watch", "create", "update", "patch"),
        rule("storage.k8s.io", "csinodes", "get", "list", "watch"),
        rule("", "nodes", "get", "list", "watch"),
        rule("storage.k8s.io", "volumeattachments", "get", "list", "watch"));
  }

  static PolicyRule rule(String group, String resource, String... verbs) {
    return new PolicyRuleBuilder()
        .withApiGroups(group)
        .withResources(resource)
        .withVerbs(verbs)
        .build();
  }

  static ClusterRole clusterRole(CsiDriver cr, Owner owner) {
    return new ClusterRoleBuilder()
        .withMetadata(meta(cr, provisionerName(cr), null, owner, null))
        .withRules(provisionerRules())
        .build();
  }

  static ClusterRoleBinding clusterRoleBinding(CsiDriver cr, String namespace, Owner owner) {
    return new ClusterRoleBindingBuilder()
        .withMetadata(meta(cr, provisionerName(cr), null, owner, null))
        .withNewRoleRef()
        .withApiGroup("rbac.authorization.k8s.io")
        .withKind("ClusterRole")
        .withName(provisionerName(cr))
        .endRoleRef()
        .addNewSubject()
        .withKind("ServiceAccount")
        .withName(provisionerName(cr))
        .withNamespace(namespace)
        .endSubject()
        .build();
  }

  static ServiceAccount serviceAccount(CsiDriver cr, String namespace, Owner owner) {
    return new ServiceAccountBuilder()
        .withMetadata(meta(cr, provisionerName(cr), namespace, owner, null))
        .build();
  }

  private static List<String> driverArgs(CsiDriver cr) {
    List<String> args = new ArrayList<>();
    args.add("csi");
    args.add("--endpoint=unix:///csi/csi.sock");
    args.add("--nodeid=$(NODE_NAME)");
    if (Boolean.TRUE.equals(cr.getSpec().enableVerboseLog)) {
      args.add("--verbose");
    }
    return args;
  }

  private static ContainerBuilder driver(CsiDriver cr, int healthPort) {
    CsiDriverSpec spec = cr.getSpec();
    return new ContainerBuilder()
        .withName("vineyard-csi-driver")
        .withImage(spec.image)
        .withImagePullPolicy(spec.imagePullPolicy.name())
        .withCommand("vineyardctl")
        .withArgs(driverArgs(cr))
        .addNewEnv()
        .withName("NODE_NAME")
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath("spec.nodeName")
        .endFieldRef()
        .endValueFrom()
        .endEnv()
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
    ObjectMeta meta = meta(cr, controllerName(cr), namespace, owner, Labels.ROLE_CSI_DRIVER);
    Map<String, String> selector =
        Labels.of("app", controllerName(cr), Labels.NAME, cr.getMetadata().getName());
    Map<String, String> podLabels = new java.util.LinkedHashMap<>(selector);
    podLabels.put(Labels.ROLE, Labels.ROLE_CSI_DRIVER);
    Container driver =
        driver(cr, CONTROLLER_HEALTH_PORT)
            .withNewSecurityContext()
            .withAllowPrivilegeEscalation(false)
            .withReadOnlyRootFilesystem(true)
            .withNewCapabilities()
            .withDrop("ALL")
            .endCapabilities()
            .endSecurityContext()
            .addNewVolumeMount()
            .withName("socket-dir")
            .withMountPath("/csi")
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("vineyard-sockets")
            .withMountPath(SOCKET_ROOT)
            .withMountPropagation("HostToContainer")
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
        .withServiceAccountName(provisionerName(cr))
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
        .withContainers(driver, provisioner, livenessProbe(cr, CONTROLLER_HEALTH_PORT))
        .withVolumes(
            new VolumeBuilder().withName("socket-dir").withNewEmptyDir().endEmptyDir().build(),
            new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build(),
            hostPath("vineyard-sockets", SOCKET_ROOT))
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  static DaemonSet nodes(CsiDriver cr, String namespace, Owner owner) {
    CsiDriverSpec spec = cr.getSpec();
    String pluginDir = KUBELET_DIR + "/plugins/" + DRIVER;
    ObjectMeta meta = meta(cr, nodesName(cr), namespace, owner, Labels.ROLE_CSI_NODES);
    Map<String, String> selector =
        Labels.of("app", nodesName(cr), Labels.NAME, cr.getMetadata().getName());
    Map<String, String> podLabels = new java.util.LinkedHashMap<>(selector);
    podLabels.put(Labels.ROLE, Labels.ROLE_CSI_NODES);
    Container driver =
        driver(cr, NODE_HEALTH_PORT)
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
            .withMountPath(KUBELET_DIR)
            .withMountPropagation("Bidirectional")
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("vineyard-sockets")
            .withMountPath(SOCKET_ROOT)
            .withMountPropagation("HostToContainer")
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
        .withContainers(driver, registrar, livenessProbe(cr, NODE_HEALTH_PORT))
        .withVolumes(
            hostPath("socket-dir", pluginDir),
            hostPath("kubelet-dir", KUBELET_DIR, "Directory"),
            hostPath("registration-dir", KUBELET_DIR + "/plugins_registry"),
            hostPath("vineyard-sockets", SOCKET_ROOT))
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
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
