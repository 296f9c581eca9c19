package io.cellar.deploy.render;

import io.cellar.deploy.crd.SpillConfig;
import io.cellar.deploy.crd.VineyardConfig;
import io.cellar.deploy.crd.Vineyardd;
import io.cellar.deploy.crd.VineyarddSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The vineyardd side of a vineyard cluster: the Deployment {@code {name}} (one pod per node through
 * required anti-affinity on the hostname; the socket directory is the host path {@code
 * spec.vineyard.socket}, mounted at {@code /var/run}), the Service {@code {name}-rpc}, and the
 * spill PersistentVolumeClaim (and PersistentVolume) when spilling is configured. Stateless;
 * thread-safe.
 */
public final class VineyarddResources {
  /** vineyardd's RPC port in the container. */
  public static final int RPC_PORT = 9600;

  /** The metrics exporter's port. */
  public static final int METRICS_PORT = 9144;

  /**
   * The non-root user Cellar's vineyardd image runs as; the init container hands it the socket dir.
   */
  public static final long VINEYARDD_USER = 65532L;

  /** Where vineyardd's socket directory is mounted when it is the host path. */
  public static final String SOCKET_MOUNT = "/var/run";

  private VineyarddResources() {}

  /**
   * The host socket directory: {@code spec.vineyard.socket} with {@code {{.Namespace}}} and {@code
   * {{.Name}}} replaced (spaces inside the braces allowed, as Go templates allow).
   *
   * @param v the cluster
   * @return the directory, {@code /var/run/vineyard-kubernetes/<ns>/<name>} by default
   */
  public static String socketDir(Vineyardd v) {
    String socket = v.getSpec().vineyard.socket;
    if (socket == null || socket.isEmpty()) {
      socket = VineyardConfig.DEFAULT_SOCKET;
    }
    return socket
        .replaceAll("\\{\\{\\s*\\.Namespace\\s*}}", v.getMetadata().getNamespace())
        .replaceAll("\\{\\{\\s*\\.Name\\s*}}", v.getMetadata().getName());
  }

  /** The pods' labels (also the Deployment's selector plus role and component). */
  static Map<String, String> podLabels(Vineyardd v) {
    String name = v.getMetadata().getName();
    return Labels.of(
        Labels.ROLE,
        Labels.ROLE_VINEYARDD,
        Labels.NAME,
        name,
        Labels.K8S_NAME,
        name,
        Labels.INSTANCE,
        instance(v),
        Labels.COMPONENT,
        "deployment");
  }

  static String instance(Vineyardd v) {
    return v.getMetadata().getNamespace() + "-" + v.getMetadata().getName();
  }

  /**
   * Renders the objects.
   *
   * @param v the cluster (defaults filled in, uid set when the env should carry it)
   * @param owner who owns them
   * @return the Deployment, the rpc Service, then the spill PVC and PV if any
   */
  public static List<HasMetadata> render(Vineyardd v, Owner owner) {
    List<HasMetadata> out = new ArrayList<>();
    out.add(deployment(v, owner));
    out.add(rpcService(v, owner));
    SpillConfig spill = v.getSpec().effectiveSpill();
    if (spill.enabled()) {
      out.add(SpillResources.claim(v, spill, owner));
      if (spill.persistentVolumeSpec != null) {
        out.add(SpillResources.volume(v, spill, owner));
      }
    }
    return out;
  }

  static ObjectMeta meta(Vineyardd v, String name, Owner owner) {
    Map<String, String> labels =
        Labels.of(
            Labels.NAME,
            v.getMetadata().getName(),
            Labels.INSTANCE,
            instance(v),
            Labels.COMPONENT,
            "deployment",
            Labels.MANAGED_BY,
            owner.managedBy());
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(v.getMetadata().getNamespace())
        .withLabels(labels)
        .withOwnerReferences(owner.references())
        .build();
  }

  static Deployment deployment(Vineyardd v, Owner owner) {
    VineyarddSpec spec = v.getSpec();
    String name = v.getMetadata().getName();
    Map<String, String> selector =
        Labels.of(Labels.NAME, name, Labels.K8S_NAME, name, Labels.INSTANCE, instance(v));
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("kubectl.kubernetes.io/default-container", "vineyardd");
    annotations.put("kubectl.kubernetes.io/default-logs-container", "vineyardd");
    List<Container> containers = new ArrayList<>();
    containers.add(vineyarddContainer(v));
    if (Boolean.TRUE.equals(spec.metric.enable)) {
      containers.add(
          new ContainerBuilder()
              .withName("metrics")
              .withImage(spec.metric.image)
              .withImagePullPolicy(spec.metric.imagePullPolicy.name())
              .withCommand("./grok_exporter")
              .withArgs("-config", "grok_exporter.yml", "-disable-exporter-metrics")
              .addNewPort()
              .withName("exporter")
              .withContainerPort(METRICS_PORT)
              .withProtocol("TCP")
              .endPort()
              .addNewVolumeMount()
              .withName("log")
              .withMountPath("/var/log/vineyard")
              .endVolumeMount()
              .build());
    }
    List<Container> init = new ArrayList<>();
    if (!spec.volume.usesClaim()) {
      // the host directory is created root-owned; vineyardd runs as a non-root user
      init.add(
          new ContainerBuilder()
              .withName("socket-dir")
              .withImage(spec.vineyard.image)
              .withImagePullPolicy(spec.vineyard.imagePullPolicy.name())
              .withCommand("chown", VINEYARDD_USER + ":" + VINEYARDD_USER, SOCKET_MOUNT + "/")
              .withNewSecurityContext()
              .withRunAsUser(0L)
              .withRunAsNonRoot(false)
              .withAllowPrivilegeEscalation(false)
              .withNewCapabilities()
              .withDrop("ALL")
              .withAdd("CHOWN")
              .endCapabilities()
              .endSecurityContext()
              .addNewVolumeMount()
              .withName("vineyard-socket")
              .withMountPath(SOCKET_MOUNT)
              .endVolumeMount()
              .build());
    }
    return new DeploymentBuilder()
        .withMetadata(meta(v, name, owner))
        .withNewSpec()
        .withReplicas(spec.replicas)
        .withNewSelector()
        .withMatchLabels(selector)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(podLabels(v))
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withHostNetwork(Boolean.TRUE.equals(spec.hostNetwork) ? Boolean.TRUE : null)
        .withInitContainers(init)
        .withContainers(containers)
        .withVolumes(volumes(v))
        .withNewAffinity()
        .withNewPodAntiAffinity()
        .addNewRequiredDuringSchedulingIgnoredDuringExecution()
        .withNewLabelSelector()
        .addNewMatchExpression()
        .withKey(Labels.INSTANCE)
        .withOperator("In")
        .withValues(instance(v))
        .endMatchExpression()
        .endLabelSelector()
        .withTopologyKey("kubernetes.io/hostname")
        .endRequiredDuringSchedulingIgnoredDuringExecution()
        .endPodAntiAffinity()
        .endAffinity()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  /** vineyardd's command line, as the reference passes it (§3.6) with {@code --meta=etcd}. */
  static List<String> args(Vineyardd v) {
    VineyarddSpec spec = v.getSpec();
    VineyardConfig vc = spec.vineyard;
    List<String> args = new ArrayList<>();
    args.add("--sync_crds=" + Boolean.TRUE.equals(vc.syncCRDs));
    args.add("--socket=" + socketPath(v));
    if (vc.size != null && !vc.size.isEmpty()) {
      args.add("--size=" + vc.size);
    }
    if (Boolean.TRUE.equals(vc.reserveMemory)) {
      args.add("--reserve_memory");
    }
    args.add("--stream_threshold=" + vc.streamThreshold);
    args.add("--meta=etcd");
    args.add("--etcd_cmd=etcd");
    args.add("--etcd_prefix=/vineyard");
    args.add("--etcd_endpoint=" + EtcdResources.endpoint(v));
    SpillConfig spill = spec.effectiveSpill();
    if (spill.path != null && !spill.path.isEmpty()) {
      args.add("--spill_path=" + spill.path);
      args.add("--spill_lower_rate=" + spill.spillLowerRate);
      args.add("--spill_upper_rate=" + spill.spillUpperRate);
    }
    if (Boolean.TRUE.equals(spec.metric.enable)) {
      args.add("--metrics");
      args.add("--log_dir=/var/log/vineyard/");
    }
    return args;
  }

  /** The socket inside the container. */
  static String socketPath(Vineyardd v) {
    VineyarddSpec spec = v.getSpec();
    String dir =
        spec.volume.usesClaim() && !spec.volume.mountPath.isEmpty()
            ? spec.volume.mountPath
            : SOCKET_MOUNT;
    return dir + "/vineyard.sock";
  }

  private static Container vineyarddContainer(Vineyardd v) {
    VineyarddSpec spec = v.getSpec();
    VineyardConfig vc = spec.vineyard;
    List<EnvVar> env = new ArrayList<>();
    env.add(
        value("VINEYARDD_UID", v.getMetadata().getUid() == null ? "" : v.getMetadata().getUid()));
    env.add(value("VINEYARDD_NAME", v.getMetadata().getName()));
    env.add(value("VINEYARDD_NAMESPACE", v.getMetadata().getNamespace()));
    env.add(field("MY_NODE_NAME", "spec.nodeName"));
    env.add(field("MY_POD_NAME", "metadata.name"));
    env.add(field("MY_POD_NAMESPACE", "metadata.namespace"));
    env.add(field("MY_UID", "metadata.uid"));
    env.add(field("MY_POD_IP", "status.podIP"));
    env.add(field("MY_HOST_NAME", "status.podIP"));
    env.add(field("USER", "metadata.name"));
    if (vc.env != null) {
      env.addAll(vc.env);
    }
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(
        new VolumeMountBuilder()
            .withName("vineyard-socket")
            .withMountPath(socketPath(v).substring(0, socketPath(v).lastIndexOf('/')))
            .build());
    if (spec.volumeMounts != null) {
      mounts.addAll(spec.volumeMounts);
    }
    SpillConfig spill = spec.effectiveSpill();
    if (spill.enabled() && spill.path != null && !spill.path.isEmpty()) {
      mounts.add(new VolumeMountBuilder().withName(spill.name).withMountPath(spill.path).build());
    }
    mounts.add(new VolumeMountBuilder().withName("shm").withMountPath("/dev/shm").build());
    mounts.add(new VolumeMountBuilder().withName("log").withMountPath("/var/log/vineyard").build());
    ResourceRequirementsBuilder resources = new ResourceRequirementsBuilder();
    if (vc.cpu != null && !vc.cpu.isEmpty()) {
      resources.addToRequests("cpu", new Quantity(vc.cpu)).addToLimits("cpu", new Quantity(vc.cpu));
    }
    if (vc.memory != null && !vc.memory.isEmpty()) {
      resources
          .addToRequests("memory", new Quantity(vc.memory))
          .addToLimits("memory", new Quantity(vc.memory));
    }
    ContainerBuilder c =
        new ContainerBuilder()
            .withName("vineyardd")
            .withImage(vc.image)
            .withImagePullPolicy(vc.imagePullPolicy.name())
            .withCommand("/usr/local/bin/vineyardd")
            .withArgs(args(v))
            .withEnv(env)
            .addNewPort()
            .withName("rpc")
            .withContainerPort(RPC_PORT)
            .withProtocol("TCP")
            .endPort()
            .withNewLivenessProbe()
            .withNewTcpSocket()
            .withPort(new IntOrString(RPC_PORT))
            .endTcpSocket()
            .withPeriodSeconds(60)
            .endLivenessProbe()
            .withNewReadinessProbe()
            .withNewExec()
            .withCommand("test", "-S", socketPath(v))
            .endExec()
            .withPeriodSeconds(2)
            .endReadinessProbe()
            .withVolumeMounts(mounts);
    if (spec.securityContext != null) {
      c.withSecurityContext(spec.securityContext);
    }
    var built = resources.build();
    if (!built.getRequests().isEmpty() || !built.getLimits().isEmpty()) {
      c.withResources(built);
    }
    return c.build();
  }

  private static List<Volume> volumes(Vineyardd v) {
    VineyarddSpec spec = v.getSpec();
    List<Volume> volumes = new ArrayList<>();
    if (spec.volume.usesClaim()) {
      volumes.add(
          new VolumeBuilder()
              .withName("vineyard-socket")
              .withNewPersistentVolumeClaim()
              .withClaimName(spec.volume.pvcName)
              .endPersistentVolumeClaim()
              .build());
    } else {
      volumes.add(
          new VolumeBuilder()
              .withName("vineyard-socket")
              .withNewHostPath()
              .withPath(socketDir(v))
              .withType("DirectoryOrCreate")
              .endHostPath()
              .build());
    }
    if (spec.volumes != null) {
      volumes.addAll(spec.volumes);
    }
    SpillConfig spill = spec.effectiveSpill();
    if (spill.enabled()) {
      volumes.add(
          new VolumeBuilder()
              .withName(spill.name)
              .withNewPersistentVolumeClaim()
              .withClaimName(spill.name)
              .endPersistentVolumeClaim()
              .build());
    }
    volumes.add(
        new VolumeBuilder()
            .withName("shm")
            .withNewEmptyDir()
            .withMedium("Memory")
            .endEmptyDir()
            .build());
    volumes.add(new VolumeBuilder().withName("log").withNewEmptyDir().endEmptyDir().build());
    return volumes;
  }

  static Service rpcService(Vineyardd v, Owner owner) {
    String name = v.getMetadata().getName();
    return new ServiceBuilder()
        .withMetadata(meta(v, name + "-rpc", owner))
        .withNewSpec()
        .withType(v.getSpec().service.type.name())
        .withSelector(Labels.of(Labels.ROLE, Labels.ROLE_VINEYARDD, Labels.NAME, name))
        .addNewPort()
        .withName("vineyard-rpc")
        .withPort(v.getSpec().service.port)
        .withTargetPort(new IntOrString(RPC_PORT))
        .withProtocol("TCP")
        .endPort()
        .endSpec()
        .build();
  }

  private static EnvVar value(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  private static EnvVar field(String name, String path) {
    return PodParts.field(name, path);
  }
}
