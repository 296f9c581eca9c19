package io.cellar.deploy.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.deploy.crd.CsiDriver;
import io.cellar.deploy.crd.SidecarMode;
import io.cellar.deploy.crd.VineyardCluster;
import io.cellar.deploy.crd.Vineyardd;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.storage.CSIDriver;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the renderers make of the custom resources: the reference's contract and Cellar's fixes. */
class RenderTest {
  static Vineyardd vineyardd() {
    Vineyardd v = new Vineyardd();
    v.setMetadata(
        new ObjectMetaBuilder().withName("vd").withNamespace("team").withUid("uid-1").build());
    return v;
  }

  static CsiDriver csiDriver() {
    CsiDriver cr = new CsiDriver();
    cr.setMetadata(new ObjectMetaBuilder().withName("csi").withUid("uid-2").build());
    cr.getSpec().clusters = List.of(new VineyardCluster("team", "vd"));
    return cr;
  }

  @SuppressWarnings("unchecked")
  static <T> T find(List<HasMetadata> objects, Class<T> type, String name) {
    return (T)
        objects.stream()
            .filter(o -> type.isInstance(o) && o.getMetadata().getName().equals(name))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
  }

  @Test
  void vineyarddIsOnePodPerNodeWithTheSocketOnTheHostAndTheReferenceFlags() {
    Vineyardd v = vineyardd();
    List<HasMetadata> objects = VineyarddResources.render(v, Owner.operator(v));
    Deployment d = find(objects, Deployment.class, "vd");
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    var term =
        pod.getAffinity()
            .getPodAntiAffinity()
            .getRequiredDuringSchedulingIgnoredDuringExecution()
            .getFirst();
    assertEquals("kubernetes.io/hostname", term.getTopologyKey());
    assertEquals(
        "team-vd", term.getLabelSelector().getMatchExpressions().getFirst().getValues().getFirst());
    assertEquals(
        "/var/run/vineyard-kubernetes/team/vd",
        pod.getVolumes().stream()
            .filter(x -> x.getName().equals("vineyard-socket"))
            .findFirst()
            .orElseThrow()
            .getHostPath()
            .getPath());
    Container c = pod.getContainers().getFirst();
    assertTrue(
        c.getArgs()
            .containsAll(
                List.of(
                    "--socket=/var/run/vineyard.sock",
                    "--meta=etcd",
                    "--etcd_endpoint=http://vd-etcd-service:2379",
                    "--etcd_prefix=/vineyard",
                    "--sync_crds=true",
                    "--stream_threshold=80")),
        c.getArgs().toString());
    assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/var/run")));
    assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/dev/shm")));
    assertEquals(
        List.of("test", "-S", "/var/run/vineyard.sock"),
        c.getReadinessProbe().getExec().getCommand());
    assertEquals(9600, c.getLivenessProbe().getTcpSocket().getPort().getIntVal());
    assertEquals(
        "uid-1",
        c.getEnv().stream()
            .filter(e -> e.getName().equals("VINEYARDD_UID"))
            .findFirst()
            .orElseThrow()
            .getValue());
    assertEquals(3, d.getSpec().getReplicas());
    assertEquals(
        "vineyard-rpc",
        find(objects, io.fabric8.kubernetes.api.model.Service.class, "vd-rpc")
            .getSpec()
            .getPorts()
            .getFirst()
            .getName());
  }

  @Test
  void etcdIsAStatefulSetWithAClaimPerMemberAndBothServices() {
    Vineyardd v = vineyardd();
    v.getSpec().etcdReplicas = 3;
    List<HasMetadata> objects = EtcdResources.render(v, Owner.operator(v));
    StatefulSet s = find(objects, StatefulSet.class, "vd-etcd");
    assertEquals(3, s.getSpec().getReplicas());
    assertEquals("vd-etcd", s.getSpec().getServiceName());
    assertEquals(
        "1Gi",
        s.getSpec()
            .getVolumeClaimTemplates()
            .getFirst()
            .getSpec()
            .getResources()
            .getRequests()
            .get("storage")
            .toString());
    assertEquals("Delete", s.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted());
    String args =
        s.getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs().toString();
    assertTrue(
        args.contains(
            "--initial-cluster=vd-etcd-0=http://vd-etcd-0.vd-etcd.team.svc:2380,"
                + "vd-etcd-1=http://vd-etcd-1.vd-etcd.team.svc:2380,"
                + "vd-etcd-2=http://vd-etcd-2.vd-etcd.team.svc:2380"),
        args);
    assertEquals(
        "None",
        find(objects, io.fabric8.kubernetes.api.model.Service.class, "vd-etcd")
            .getSpec()
            .getClusterIP());
    assertEquals(
        2379,
        find(objects, io.fabric8.kubernetes.api.model.Service.class, "vd-etcd-service")
            .getSpec()
            .getPorts()
            .getFirst()
            .getPort());
  }

  @Test
  void everyChildIsOwnedByItsResource() {
    Vineyardd v = vineyardd();
    for (HasMetadata o : EtcdResources.render(v, Owner.operator(v))) {
      assertEquals("uid-1", o.getMetadata().getOwnerReferences().getFirst().getUid(), o.getKind());
      assertEquals("vineyard-operator", o.getMetadata().getLabels().get(Labels.MANAGED_BY));
    }
    CsiDriver cr = csiDriver();
    for (HasMetadata o :
        CsiResources.render(cr, "ops", cr.getSpec().clusters, Owner.operator(cr))) {
      assertEquals("uid-2", o.getMetadata().getOwnerReferences().getFirst().getUid(), o.getKind());
      assertEquals(Boolean.TRUE, o.getMetadata().getOwnerReferences().getFirst().getController());
    }
    for (HasMetadata o : VineyarddResources.render(v, Owner.vineyardctl(null))) {
      assertTrue(o.getMetadata().getOwnerReferences().isEmpty());
      assertEquals("vineyardctl", o.getMetadata().getLabels().get(Labels.MANAGED_BY));
    }
  }

  @Test
  void theCsiDriverNeedsNoAttachAndItsNodePluginIsTheOnlyPrivilegedPart() {
    CsiDriver cr = csiDriver();
    List<HasMetadata> objects =
        CsiResources.render(cr, "ops", cr.getSpec().clusters, Owner.operator(cr));
    CSIDriver driver = find(objects, CSIDriver.class, "csi.vineyard.v6d.io");
    assertFalse(driver.getSpec().getAttachRequired());
    assertTrue(driver.getSpec().getPodInfoOnMount());
    assertEquals("None", driver.getSpec().getFsGroupPolicy());
    StorageClass sc = find(objects, StorageClass.class, "team.vd.csi");
    assertEquals("team", sc.getParameters().get("k8s.v6d.io/vineyard/namespace"));
    assertEquals("vd", sc.getParameters().get("k8s.v6d.io/vineyard/name"));
    assertEquals("WaitForFirstConsumer", sc.getVolumeBindingMode());
    Deployment controller = find(objects, Deployment.class, "csi-csi-driver");
    assertEquals("ops", controller.getMetadata().getNamespace());
    PodSpec cp = controller.getSpec().getTemplate().getSpec();
    assertTrue(cp.getSecurityContext().getRunAsNonRoot());
    assertEquals(
        List.of("vineyard-csi-driver", "csi-provisioner", "liveness-probe"),
        cp.getContainers().stream().map(Container::getName).toList());
    assertTrue(cp.getContainers().get(1).getArgs().contains("--extra-create-metadata"));
    for (Container c : cp.getContainers()) {
      assertTrue(
          c.getSecurityContext() == null || c.getSecurityContext().getPrivileged() == null,
          c.getName());
    }
    DaemonSet nodes = find(objects, DaemonSet.class, "csi-csi-nodes");
    PodSpec np = nodes.getSpec().getTemplate().getSpec();
    Container driverContainer = np.getContainers().getFirst();
    assertTrue(driverContainer.getSecurityContext().getPrivileged());
    assertEquals(
        "Bidirectional",
        driverContainer.getVolumeMounts().stream()
            .filter(m -> m.getMountPath().equals("/var/lib/kubelet"))
            .findFirst()
            .orElseThrow()
            .getMountPropagation());
    assertEquals(
        List.of("vineyard-csi-driver", "node-driver-registrar", "liveness-probe"),
        np.getContainers().stream().map(Container::getName).toList());
    assertEquals(
        List.of("csi", "--endpoint=unix:///csi/csi.sock", "--nodeid=$(NODE_NAME)"),
        driverContainer.getArgs());
    assertFalse(np.getAutomountServiceAccountToken());
    assertTrue(np.getTolerations().isEmpty());
  }

  @Test
  void builtinSidecarsRunNoSidecarImageAndGiveTheDriverTheirRoles() {
    CsiDriver cr = csiDriver();
    cr.getSpec().sidecars = SidecarMode.builtin;
    cr.getSpec().kubeletDir = "/srv/kubelet";
    List<HasMetadata> objects =
        CsiResources.render(cr, "ops", cr.getSpec().clusters, Owner.operator(cr));
    PodSpec cp =
        find(objects, Deployment.class, "csi-csi-driver").getSpec().getTemplate().getSpec();
    assertEquals(
        List.of("vineyard-csi-driver"),
        cp.getContainers().stream().map(Container::getName).toList());
    Container controller = cp.getContainers().getFirst();
    assertEquals(
        List.of(
            "csi",
            "--endpoint=unix:///csi/csi.sock",
            "--nodeid=$(NODE_NAME)",
            "--provisioner",
            "--health-port=9808"),
        controller.getArgs());
    // the Lease's namespace and identity come from the pod, as the sidecar's do
    assertEquals(
        List.of("NODE_NAME", "POD_NAME", "POD_NAMESPACE"),
        controller.getEnv().stream().map(e -> e.getName()).toList());
    assertEquals(
        "metadata.namespace",
        controller.getEnv().get(2).getValueFrom().getFieldRef().getFieldPath());
    // the liveness probe now asks the driver's own /healthz
    assertEquals(9808, controller.getPorts().getFirst().getContainerPort());
    assertEquals("healthz", controller.getLivenessProbe().getHttpGet().getPort().getStrVal());
    io.fabric8.kubernetes.api.model.rbac.ClusterRole role =
        find(
            objects,
            io.fabric8.kubernetes.api.model.rbac.ClusterRole.class,
            CsiResources.provisionerName(cr));
    assertTrue(role.getRules().contains(CsiResources.leaseRule()));
    assertTrue(OperatorResources.operatorRules().contains(CsiResources.leaseRule()));

    PodSpec np = find(objects, DaemonSet.class, "csi-csi-nodes").getSpec().getTemplate().getSpec();
    assertEquals(
        List.of("vineyard-csi-driver"),
        np.getContainers().stream().map(Container::getName).toList());
    Container node = np.getContainers().getFirst();
    assertEquals(
        List.of(
            "csi",
            "--endpoint=unix:///csi/csi.sock",
            "--nodeid=$(NODE_NAME)",
            "--register-with-kubelet=/srv/kubelet",
            "--kubelet-registration-path=/srv/kubelet/plugins/csi.vineyard.v6d.io/csi.sock",
            "--health-port=9809"),
        node.getArgs());
    assertEquals(
        "Bidirectional",
        node.getVolumeMounts().stream()
            .filter(m -> m.getMountPath().equals("/srv/kubelet"))
            .findFirst()
            .orElseThrow()
            .getMountPropagation());
    assertEquals(
        List.of(
            "socket-dir=/srv/kubelet/plugins/csi.vineyard.v6d.io",
            "kubelet-dir=/srv/kubelet",
            "vineyard-sockets=" + CsiResources.SOCKET_ROOT),
        np.getVolumes().stream()
            .map(vol -> vol.getName() + "=" + vol.getHostPath().getPath())
            .toList());
    assertFalse(np.getAutomountServiceAccountToken());
    assertNull(np.getHostNetwork());
    assertNull(cp.getHostNetwork());
  }

  @Test
  void theStandardSidecarsHaveNoLeaseRightAndTheirOwnRegistrationDirectory() {
    CsiDriver cr = csiDriver();
    List<HasMetadata> objects =
        CsiResources.render(cr, "ops", cr.getSpec().clusters, Owner.operator(cr));
    io.fabric8.kubernetes.api.model.rbac.ClusterRole role =
        find(
            objects,
            io.fabric8.kubernetes.api.model.rbac.ClusterRole.class,
            CsiResources.provisionerName(cr));
    assertFalse(role.getRules().contains(CsiResources.leaseRule()));
    PodSpec np = find(objects, DaemonSet.class, "csi-csi-nodes").getSpec().getTemplate().getSpec();
    assertTrue(
        np.getVolumes().stream()
            .anyMatch(
                vol ->
                    vol.getName().equals("registration-dir")
                        && vol.getHostPath()
                            .getPath()
                            .equals("/var/lib/kubelet/plugins_registry")));
  }

  @Test
  void deleteObjectsGivesTheClassesTheParametersThatMakeDeleteVolumeDeleteTheObjects() {
    CsiDriver cr = csiDriver();
    StorageClass plain =
        find(
            CsiResources.render(cr, "ops", cr.getSpec().clusters, Owner.operator(cr)),
            StorageClass.class,
            "team.vd.csi");
    assertFalse(plain.getParameters().containsKey("k8s.v6d.io/vineyard/delete-objects"));
    cr.getSpec().deleteObjects = true;
    cr.getSpec().objectPrefix = "/data/objects/";
    StorageClass sc =
        find(
            CsiResources.render(cr, "ops", cr.getSpec().clusters, Owner.operator(cr)),
            StorageClass.class,
            "team.vd.csi");
    assertEquals("true", sc.getParameters().get(io.cellar.csi.VolumeId.DELETE_OBJECTS_KEY));
    assertEquals(
        "/data/objects/", sc.getParameters().get(io.cellar.csi.VolumeId.OBJECT_PREFIX_KEY));
    assertEquals("team", sc.getParameters().get("k8s.v6d.io/vineyard/namespace"));
  }

  @Test
  void hostNetworkPutsEveryPodOnTheHostAndEtcdIsReachedWithoutDns() {
    CsiDriver cr = csiDriver();
    cr.getSpec().hostNetwork = true;
    List<HasMetadata> csi =
        CsiResources.render(cr, "ops", cr.getSpec().clusters, Owner.operator(cr));
    assertTrue(
        find(csi, Deployment.class, "csi-csi-driver")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getHostNetwork());
    assertTrue(
        find(csi, DaemonSet.class, "csi-csi-nodes")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getHostNetwork());

    Vineyardd v = vineyardd();
    v.getSpec().hostNetwork = true;
    v.getSpec().etcd.storage = "";
    Deployment d = find(VineyarddResources.render(v, Owner.operator(v)), Deployment.class, "vd");
    assertTrue(d.getSpec().getTemplate().getSpec().getHostNetwork());
    Container vineyardd = d.getSpec().getTemplate().getSpec().getContainers().getFirst();
    // the kubelet puts VD_ETCD_SERVICE_SERVICE_HOST (the Service's cluster IP) into the pod
    assertTrue(
        vineyardd.getArgs().contains("--etcd_endpoint=http://$(VD_ETCD_SERVICE_SERVICE_HOST):2379"),
        vineyardd.getArgs().toString());
    StatefulSet etcd =
        find(EtcdResources.render(v, Owner.operator(v)), StatefulSet.class, "vd-etcd");
    PodSpec ep = etcd.getSpec().getTemplate().getSpec();
    assertTrue(ep.getHostNetwork());
    List<String> args = ep.getContainers().getFirst().getArgs();
    assertTrue(args.contains("--advertise-client-urls=http://$(POD_IP):2379"), args.toString());
    assertTrue(args.contains("--initial-cluster=vd-etcd-0=http://$(POD_IP):2380"), args.toString());
    assertEquals(
        "status.podIP",
        ep.getContainers().getFirst().getEnv().stream()
            .filter(e -> e.getName().equals("POD_IP"))
            .findFirst()
            .orElseThrow()
            .getValueFrom()
            .getFieldRef()
            .getFieldPath());
    // no storage: no claim, an emptyDir where the claim was mounted
    assertTrue(etcd.getSpec().getVolumeClaimTemplates().isEmpty());
    assertEquals("data", ep.getVolumes().getFirst().getName());
    assertTrue(ep.getVolumes().getFirst().getEmptyDir() != null);

    v.getSpec().etcdReplicas = 3;
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> EtcdResources.render(v, Owner.operator(v)));
    assertTrue(e.getMessage().contains("spec.etcdReplicas 1"), e.getMessage());
  }

  @Test
  void theOperatorRoleGrantsNoSecretsAndCoversWhatItGrantsTheProvisioner() {
    List<PolicyRule> rules = OperatorResources.operatorRules();
    for (PolicyRule r : rules) {
      assertFalse(r.getResources().contains("secrets"), r.toString());
      assertFalse(r.getResources().contains("*"), r.toString());
      assertFalse(r.getVerbs().contains("*"), r.toString());
    }
    assertTrue(rules.containsAll(CsiResources.provisionerRules()));
  }

  @Test
  void theSocketTemplateAcceptsGoTemplateSpacing() {
    Vineyardd v = vineyardd();
    v.getSpec().vineyard.socket = "/srv/{{ .Namespace }}/{{.Name}}/x";
    assertEquals("/srv/team/vd/x", VineyarddResources.socketDir(v));
  }

  @Test
  void theReferenceSampleParsesWithTheTopLevelSpillHonoured() {
    Vineyardd v =
        Serialization.unmarshal(
            """
            apiVersion: k8s.v6d.io/v1alpha1
            kind: Vineyardd
            metadata: {name: vineyardd-sample, namespace: vineyard-system, uid: u}
            spec:
              replicas: 2
              spill: {name: spill-path, path: /var/checkpoint/spill}
            """,
            Vineyardd.class);
    assertEquals("spill-path", v.getSpec().effectiveSpill().name);
    assertNull(v.getSpec().vineyard.spill.persistentVolumeSpec);
    List<HasMetadata> objects = VineyarddResources.render(v, Owner.operator(v));
    assertTrue(
        objects.stream()
            .anyMatch(
                o ->
                    o.getKind().equals("PersistentVolumeClaim")
                        && o.getMetadata().getName().equals("spill-path")));
    Deployment d = find(objects, Deployment.class, "vineyardd-sample");
    assertTrue(
        d.getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .getFirst()
            .getArgs()
            .contains("--spill_path=/var/checkpoint/spill"));
  }
}
