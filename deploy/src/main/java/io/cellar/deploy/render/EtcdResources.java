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
 * that vineyardd connects to. Without {@code etcd.storage} a member keeps its data in an emptyDir;
 * with {@code hostNetwork} the one member listens on its host's ports and advertises its pod IP.
 * Stateless; thread-safe.
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

  /**
   * The endpoint vineyardd gets: {@code http://{name}-etcd-service:2379}, or with {@code
   * hostNetwork} the client Service's address from the variable the kubelet sets in every pod of
   * the namespace created after the Service, {@code
   * http://$({NAME}_ETCD_SERVICE_SERVICE_HOST):2379} (a host-network pod has no cluster DNS unless
   * its dnsPolicy asks for it).
   */
  public static String endpoint(Vineyardd v) {
    if (Boolean.TRUE.equals(v.getSpec().hostNetwork)) {
      return "http://$(" + serviceHostVariable(clientServiceName(v)) + "):" + CLIENT_PORT;
    }
    return "http://" + clientServiceName(v) + ":" + CLIENT_PORT;
  }

  /** The variable that holds a Service's cluster IP in a pod: {@code {NAME}_SERVICE_HOST}. */
  static String serviceHostVariable(String service) {
    return service.toUpperCase(java.util.Locale.ROOT).replace('-', '_') + "_SERVICE_HOST";
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
    boolean hostNetwork = Boolean.TRUE.equals(v.getSpec().hostNetwork);
    if (hostNetwork && members != 1) {
      throw new IllegalArgumentException(
          "spec.hostNetwork needs spec.etcdReplicas 1 (a host-network etcd's peers would need DNS"
              + " names), not "
              + members);
    }
    // a member is addressed by its DNS name, or on the host network by its pod's (the host's) IP
    String domain = name + "." + ns + ".svc";
    String self = hostNetwork ? "$(POD_IP)" : "$(POD_NAME)." + domain;
    StringJoiner cluster = new StringJoiner(",");
    for (int i = 0; i < members; i++) {
      String host = hostNetwork ? "$(POD_IP)" : name + "-" + i + "." + domain;
      cluster.add(name + "-" + i + "=http://" + host + ":" + PEER_PORT);
    }
    EtcdConfig etcd = v.getSpec().etcd;
    boolean claim = etcd.storage != null && !etcd.storage.isEmpty();
    List<String> args =
        List.of(
            "--name=$(POD_NAME)",
            "--data-dir=/var/lib/etcd/data",
            "--listen-client-urls=http://0.0.0.0:" + CLIENT_PORT,
            "--advertise-client-urls=http://" + self + ":" + CLIENT_PORT,
            "--listen-peer-urls=http://0.0.0.0:" + PEER_PORT,
            "--initial-advertise-peer-urls=http://" + self + ":" + PEER_PORT,
            "--initial-cluster=" + cluster,
            "--initial-cluster-state=new",
            "--initial-cluster-token=" + ns + "-" + name);
    PersistentVolumeClaimBuilder template =
        !claim
            ? null
            : new PersistentVolumeClaimBuilder()
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
    if (claim && etcd.storageClassName != null && !etcd.storageClassName.isEmpty()) {
      template.editSpec().withStorageClassName(etcd.storageClassName).endSpec();
    }
    StatefulSet set =
        new StatefulSetBuilder()
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
            .withSecurityContext(PodParts.restricted())
            .addNewVolumeMount()
            .withName("data")
            .withMountPath("/var/lib/etcd")
            .endVolumeMount()
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    io.fabric8.kubernetes.api.model.PodSpec pod = set.getSpec().getTemplate().getSpec();
    if (claim) {
      set.getSpec().setVolumeClaimTemplates(List.of(template.build()));
    } else {
      pod.setVolumes(
          List.of(
              new io.fabric8.kubernetes.api.model.VolumeBuilder()
                  .withName("data")
                  .withNewEmptyDir()
                  .endEmptyDir()
                  .build()));
    }
    if (hostNetwork) {
      pod.setHostNetwork(true);
      pod.getContainers().getFirst().getEnv().add(PodParts.field("POD_IP", "status.podIP"));
    }
    return set;
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
