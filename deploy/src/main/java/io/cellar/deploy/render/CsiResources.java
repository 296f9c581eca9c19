package io.cellar.deploy.render;

import io.cellar.deploy.crd.CsiDriver;
import io.cellar.deploy.crd.VineyardCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
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
    out.add(CsiWorkloads.controller(cr, namespace, owner));
    out.add(CsiWorkloads.nodes(cr, namespace, owner));
    return out;
  }

  static ObjectMeta meta(CsiDriver cr, String name, String namespace, Owner owner, String role) {
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
        .addToParameters(deleteObjectsParameters(cr))
        .withVolumeBindingMode(cr.getSpec().volumeBindingMode.name())
        .withReclaimPolicy("Delete")
        .withAllowVolumeExpansion(false)
        .build();
  }

  /** The StorageClass parameters that make DeleteVolume delete a volume's objects, if asked. */
  static Map<String, String> deleteObjectsParameters(CsiDriver cr) {
    if (!Boolean.TRUE.equals(cr.getSpec().deleteObjects)) {
      return Map.of();
    }
    return Map.of(
        io.cellar.csi.VolumeId.DELETE_OBJECTS_KEY,
        "true",
        io.cellar.csi.VolumeId.OBJECT_PREFIX_KEY,
        cr.getSpec().objectPrefix);
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

  /**
   * What the built-in provisioner needs besides {@link #provisionerRules()}: its Lease ({@code
   * sidecars: builtin}; the standard sidecar runs without leader election, one replica).
   */
  public static PolicyRule leaseRule() {
    return rule(
        "coordination.k8s.io", "leases", "get", "list", "watch", "create", "update", "patch");
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
        .withRules(
            CsiWorkloads.builtin(cr)
                ? java.util.stream.Stream.concat(
                        provisionerRules().stream(), java.util.stream.Stream.of(leaseRule()))
                    .toList()
                : provisionerRules())
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
}
