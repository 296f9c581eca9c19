package io.cellar.deploy.render;

import io.cellar.deploy.crd.EtcdConfig;
import io.cellar.deploy.crd.Vineyardd;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The etcd of a vineyard cluster: a StatefulSet {@code {name}-etcd} with one PersistentVolumeClaim
 * per member (deleted with the StatefulSet), the headless Service {@code {name}-etcd} that gives
 * the members stable DNS names, and the client Service {@code {name}-etcd-service} on port 2379
 * that vineyardd connects to. Stateless; thread-safe.
 */
public final class EtcdResources {
  /** etcd's client port. */
  public static final int CLIENT_PORT = 2379;

  /** etcd's peer port. */
  public static final int PEER_PORT = 2380;

  /** The non-root user etcd runs as. */
  static final long ETCD_USER = 65532L;

  private EtcdResources() {}

  /** The StatefulSet's (and headless Service's) name. */
  public static String statefulSetName(Vineyardd v) {
    return v.getMetadata().getName() + "-etcd";
  }

  /** The client Service's name, {@code {name}-etcd-service}. */
  public static String clientServiceName(Vineyardd v) {
    return v.getMetadata().getName() + "-etcd-service";
  }

  /** The endpoint vineyardd gets, {@code http://{name}-etcd-service:2379}. */
  public static String endpoint(Vineyardd v) {
    return "http://" + clientServiceName(v) + ":" + CLIENT_PORT;
  }

  /**
   * Renders the three objects.
   *
   * @param v the cluster (defaults filled in)
   * @param owner who owns them
   * @return the StatefulSet, the headless Service, the client Service
   */
  public static List<HasMetadata> render(Vineyardd v, Owner owner) {
    List<HasMetadata> out = new ArrayList<>();
    out.add(statefulSet(v, owner));
    out.add(headlessService(v, owner));
    out.add(clientService(v, owner));
    return out;
  }

  static Map<String, String> selector(Vineyardd v) {
    return Labels.of(Labels.ROLE, Labels.ROLE_ETCD, Labels.NAME, v.getMetadata().getName());
  }

  private static ObjectMeta meta(Vineyardd v, String name, Owner owner) {
    Map<String, String> labels = selector(v);
    labels.put(Labels.MANAGED_BY, owner.managedBy());
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(v.getMetadata().getNamespace())
        .withLabels(labels)
        .withOwnerReferences(owner.references())
        .build();
  }

  static StatefulSet statefulSet(Vineyardd v, Owner owner) {
    String name = statefulSetName(v);
    String ns = v.getMetadata().getNamespace();
    int members = v.getSpec().etcdReplicas;
    String domain = name + "." + ns + ".svc";
    StringJoiner cluster = new StringJoiner(",");
    for (int i = 0; i < members; i++) {
      cluster.add(name + "-" + i + "=http://" + name + "-" + i + "." + domain + ":" + PEER_PORT);
    }
    EtcdConfig etcd = v.getSpec().etcd;
    List<String> args =
        List.of(
            "--name=$(POD_NAME)",
            "--data-dir=/var/lib/etcd/data",
            "--listen-client-urls=http://0.0.0.0:" + CLIENT_PORT,
            "--advertise-client-urls=http://$(POD_NAME)." + domain + ":" + CLIENT_PORT,
            "--listen-peer-urls=http://0.0.0.0:" + PEER_PORT,
            "--initial-advertise-peer-urls=http://$(POD_NAME)." + domain + ":" + PEER_PORT,
            "--initial-cluster=" + cluster,
            "--initial-cluster-state=new",
            "--initial-cluster-token=" + ns + "-" + name);
    PersistentVolumeClaimBuilder claim =
        new PersistentVolumeClaimBuilder()
            .withNewMetadata()
            .withName("data")
            .withLabels(selector(v))
            .endMetadata()
            .withNewSpec()
            .withAccessModes("ReadWriteOnce")
            .withNewResources()
            .addToRequests("storage", new Quantity(etcd.storage))
            .endResources()
            .endSpec();
    if (etcd.storageClassName != null && !etcd.storageClassName.isEmpty()) {
      claim.editSpec().withStorageClassName(etcd.storageClassName).endSpec();
    }
    return new StatefulSetBuilder()
        .withMetadata(meta(v, name, owner))
        .withNewSpec()
        .withServiceName(name)
        .withReplicas(members)
        .withPodManagementPolicy("Parallel")
        .withNewSelector()
        .withMatchLabels(selector(v))
        .endSelector()
        .withNewPersistentVolumeClaimRetentionPolicy()
        .withWhenDeleted("Delete")
        .withWhenScaled("Retain")
        .endPersistentVolumeClaimRetentionPolicy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(selector(v))
        .endMetadata()
        .withNewSpec()
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(ETCD_USER)
        .withRunAsGroup(ETCD_USER)
        .withFsGroup(ETCD_USER)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .addNewContainer()
        .withName("etcd")
        .withImage(etcd.image)
        .withImagePullPolicy(etcd.imagePullPolicy.name())
        .withCommand("etcd")
        .withArgs(args)
        .addNewEnv()
        .withName("POD_NAME")
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath("metadata.name")
        .endFieldRef()
        .endValueFrom()
        .endEnv()
        .addNewPort()
        .withName("client")
        .withContainerPort(CLIENT_PORT)
        .withProtocol("TCP")
        .endPort()
        .addNewPort()
        .withName("peer")
        .withContainerPort(PEER_PORT)
        .withProtocol("TCP")
        .endPort()
        .withNewReadinessProbe()
        .withNewHttpGet()
        .withPath("/readyz")
        .withPort(new IntOrString(CLIENT_PORT))
        .endHttpGet()
        .withPeriodSeconds(5)
        .endReadinessProbe()
        .withNewLivenessProbe()
        .withNewHttpGet()
        .withPath("/livez")
        .withPort(new IntOrString(CLIENT_PORT))
        .endHttpGet()
        .withInitialDelaySeconds(10)
        .withPeriodSeconds(10)
        .withFailureThreshold(6)
        .endLivenessProbe()
        .withNewSecurityContext()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .endSecurityContext()
        .addNewVolumeMount()
        .withName("data")
        .withMountPath("/var/lib/etcd")
        .endVolumeMount()
        .endContainer()
        .endSpec()
        .endTemplate()
        .withVolumeClaimTemplates(claim.build())
        .endSpec()
        .build();
  }

  static Service headlessService(Vineyardd v, Owner owner) {
    return new ServiceBuilder()
        .withMetadata(meta(v, statefulSetName(v), owner))
        .withNewSpec()
        .withClusterIP("None")
        .withPublishNotReadyAddresses(true)
        .withSelector(selector(v))
        .addNewPort()
        .withName("client")
        .withPort(CLIENT_PORT)
        .withTargetPort(new IntOrString(CLIENT_PORT))
        .withProtocol("TCP")
        .endPort()
        .addNewPort()
        .withName("peer")
        .withPort(PEER_PORT)
        .withTargetPort(new IntOrString(PEER_PORT))
        .withProtocol("TCP")
        .endPort()
        .endSpec()
        .build();
  }

  static Service clientService(Vineyardd v, Owner owner) {
    return new ServiceBuilder()
        .withMetadata(meta(v, clientServiceName(v), owner))
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(selector(v))
        .addNewPort()
        .withName("etcd-for-vineyard-port")
        .withPort(CLIENT_PORT)
        .withTargetPort(new IntOrString(CLIENT_PORT))
        .withProtocol("TCP")
        .endPort()
        .endSpec()
        .build();
  }
}
