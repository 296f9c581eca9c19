package io.cellar.deploy.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import io.cellar.deploy.crd.ImagePullPolicy;
import io.cellar.deploy.crd.Images;
import io.cellar.deploy.crd.ServiceType;
import io.cellar.deploy.crd.SpillConfig;
import io.cellar.deploy.crd.VineyardConfig;
import io.cellar.deploy.crd.Vineyardd;
import io.cellar.deploy.crd.VineyarddSpec;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The flags that describe a {@link Vineyardd} (the reference's {@code vineyardd_flags.go}, same
 * names and defaults, plus Cellar's {@code --etcd.*}), shared by {@code deploy vineyardd}, {@code
 * deploy vineyard-cluster}, {@code deploy vineyard-deployment} and {@code manifests}. Not
 * thread-safe.
 */
public final class VineyarddFlags {
  @Option(
      names = "--name",
      defaultValue = "vineyardd-sample",
      description = "the name of vineyardd (default: ${DEFAULT-VALUE})")
  String name;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description = "a Vineyardd manifest to use instead of the flags")
  Path file;

  @Option(
      names = "--replicas",
      defaultValue = "3",
      description = "the number of vineyardd replicas (default: ${DEFAULT-VALUE})")
  int replicas;

  @Option(
      names = "--etcd.replicas",
      defaultValue = "1",
      description = "the number of etcd replicas in a vineyard cluster (default: ${DEFAULT-VALUE})")
  int etcdReplicas;

  @Option(
      names = "--etcd.image",
      defaultValue = Images.ETCD,
      description = "the etcd image (Cellar; default: ${DEFAULT-VALUE})")
  String etcdImage;

  @Option(
      names = "--etcd.storage",
      defaultValue = "1Gi",
      description =
          "the size of each etcd member's volume; empty: an emptyDir that lives as long as the"
              + " pod (Cellar; default: ${DEFAULT-VALUE})")
  String etcdStorage;

  @Option(
      names = "--hostNetwork",
      arity = "0..1",
      fallbackValue = "true",
      description =
          "run vineyardd and etcd in the host's network namespace, etcd reached by its Service's"
              + " address instead of DNS, one etcd member (Cellar; default: false)")
  boolean hostNetwork;

  @Option(
      names = "--etcd.storageClassName",
      defaultValue = "",
      description = "the StorageClass of the etcd volumes; empty means the default class (Cellar)")
  String etcdStorageClass;

  @Option(
      names = "--vineyardd.image",
      defaultValue = Images.VINEYARDD,
      description = "the image of vineyardd (default: ${DEFAULT-VALUE})")
  String image;

  @Option(
      names = "--vineyardd.imagePullPolicy",
      defaultValue = "IfNotPresent",
      description =
          "the imagePullPolicy of vineyardd: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
  ImagePullPolicy imagePullPolicy;

  @Option(
      names = "--vineyardd.syncCRDs",
      arity = "0..1",
      defaultValue = "true",
      fallbackValue = "true",
      description = "synchronize CRDs when persisting objects (default: ${DEFAULT-VALUE})")
  boolean syncCrds;

  @Option(
      names = "--vineyardd.socket",
      defaultValue = VineyardConfig.DEFAULT_SOCKET,
      description =
          "the host directory of the IPC socket; {{.Namespace}} and {{.Name}} are replaced (default: ${DEFAULT-VALUE})")
  String socket;

  @Option(
      names = "--vineyardd.size",
      defaultValue = "",
      description =
          "the shared memory size of vineyardd (Ei, Pi, Ti, Gi, Mi, Ki); empty means not limited")
  String size;

  @Option(
      names = "--vineyardd.reserve_memory",
      arity = "0..1",
      fallbackValue = "true",
      description = "reserve enough physical memory pages for vineyardd (default: false)")
  boolean reserveMemory;

  @Option(
      names = "--vineyardd.streamThreshold",
      defaultValue = "80",
      description = "memory threshold of streams, percent (default: ${DEFAULT-VALUE})")
  long streamThreshold;

  @Option(
      names = "--vineyardd.envs",
      split = ",",
      paramLabel = "NAME=VALUE",
      description = "environment variables of vineyardd")
  List<String> envs = new ArrayList<>();

  @Option(
      names = "--vineyardd.spill.config",
      defaultValue = "",
      description = "the name of the spill config (enables spilling)")
  String spillName;

  @Option(names = "--vineyardd.spill.path", defaultValue = "", description = "the spill path")
  String spillPath;

  @Option(
      names = "--vineyardd.spill.spillLowerRate",
      defaultValue = "0.3",
      description = "the low watermark of spilling memory (default: ${DEFAULT-VALUE})")
  String spillLower;

  @Option(
      names = "--vineyardd.spill.spillUpperRate",
      defaultValue = "0.8",
      description = "the high watermark of spilling memory (default: ${DEFAULT-VALUE})")
  String spillUpper;

  @Option(
      names = "--vineyardd.spill.pv-pvc-spec",
      defaultValue = "",
      paramLabel = "JSON",
      description =
          "the JSON of the spill PV and PVC specs: {\"pv-spec\": {...}, \"pvc-spec\": {...}}")
  String spillPvPvc;

  @Option(
      names = "--vineyardd.memory",
      defaultValue = "",
      description = "the memory requests and limits of the vineyard container")
  String memory;

  @Option(
      names = "--vineyardd.cpu",
      defaultValue = "",
      description = "the cpu requests and limits of the vineyard container")
  String cpu;

  @Option(
      names = "--vineyardd.service.type",
      defaultValue = "ClusterIP",
      description =
          "the service type of vineyard service: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
  ServiceType serviceType;

  @Option(
      names = "--vineyardd.service.port",
      defaultValue = "9600",
      description = "the service port of vineyard service (default: ${DEFAULT-VALUE})")
  int servicePort;

  @Option(
      names = "--vineyardd.volume.pvcname",
      defaultValue = "",
      description = "a PVC for the socket instead of the host path")
  String pvcName;

  @Option(
      names = "--vineyardd.volume.mountPath",
      defaultValue = "",
      description = "the mount path of that PVC")
  String mountPath;

  @Option(
      names = "--vineyardd.metric.enable",
      arity = "0..1",
      fallbackValue = "true",
      description = "enable metrics of vineyardd (default: false)")
  boolean metricEnable;

  @Option(
      names = "--vineyardd.metric.image",
      defaultValue = Images.METRICS,
      description = "the metric image of vineyardd (default: ${DEFAULT-VALUE})")
  String metricImage;

  @Option(
      names = "--vineyardd.metric.imagePullPolicy",
      defaultValue = "IfNotPresent",
      description = "the imagePullPolicy of the metric image (default: ${DEFAULT-VALUE})")
  ImagePullPolicy metricPullPolicy;

  @Option(
      names = "--pluginImage.backupImage",
      defaultValue = "ghcr.io/v6d-io/v6d/backup-job",
      description = "the backup image (default: ${DEFAULT-VALUE})")
  String backupImage;

  @Option(
      names = "--pluginImage.recoverImage",
      defaultValue = "ghcr.io/v6d-io/v6d/recover-job",
      description = "the recover image (default: ${DEFAULT-VALUE})")
  String recoverImage;

  @Option(
      names = "--pluginImage.daskRepartitionImage",
      defaultValue = "ghcr.io/v6d-io/v6d/dask-repartition",
      description = "the dask repartition image (default: ${DEFAULT-VALUE})")
  String daskImage;

  @Option(
      names = "--pluginImage.localAssemblyImage",
      defaultValue = "ghcr.io/v6d-io/v6d/local-assembly",
      description = "the local assembly image (default: ${DEFAULT-VALUE})")
  String localAssemblyImage;

  @Option(
      names = "--pluginImage.distributedAssemblyImage",
      defaultValue = "ghcr.io/v6d-io/v6d/distributed-assembly",
      description = "the distributed assembly image (default: ${DEFAULT-VALUE})")
  String distributedAssemblyImage;

  @Option(
      names = "--securityContext",
      defaultValue = "",
      paramLabel = "JSON",
      description = "the JSON of the vineyardd container's security context")
  String securityContext;

  @Option(
      names = "--volume",
      defaultValue = "",
      paramLabel = "JSON",
      description = "the JSON of extra volumes (one or a list)")
  String volume;

  @Option(
      names = "--volumeMount",
      defaultValue = "",
      paramLabel = "JSON",
      description = "the JSON of extra volume mounts (one or a list)")
  String volumeMount;

  /** Creates the flags (picocli fills them). */
  public VineyarddFlags() {}

  /**
   * The Vineyardd the flags (or {@code -f}) describe.
   *
   * @param namespace {@code -n}
   * @return the resource, defaults filled in
   * @throws UserError naming the flag whose value is wrong
   */
  public Vineyardd build(String namespace) {
    if (file != null) {
      return fromFile(file, namespace);
    }
    Vineyardd v = new Vineyardd();
    v.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    VineyarddSpec s = v.getSpec();
    if (replicas < 0) {
      throw new UserError("--replicas " + replicas + ": must be 0 or more");
    }
    if (etcdReplicas < 1) {
      throw new UserError("--etcd.replicas " + etcdReplicas + ": must be 1 or more");
    }
    if (hostNetwork && etcdReplicas != 1) {
      throw new UserError(
          "--etcd.replicas "
              + etcdReplicas
              + " with --hostNetwork: a host-network etcd has one member (its peers would need"
              + " DNS names)");
    }
    if (!etcdStorage.isEmpty()
        && !etcdStorage.matches("[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?")) {
      throw new UserError(
          "--etcd.storage '" + etcdStorage + "': expected a quantity such as 1Gi, or empty");
    }
    s.replicas = replicas;
    s.etcdReplicas = etcdReplicas;
    s.hostNetwork = hostNetwork;
    s.etcd.image = etcdImage;
    s.etcd.storage = etcdStorage;
    s.etcd.storageClassName = etcdStorageClass;
    s.vineyard.image = image;
    s.vineyard.imagePullPolicy = imagePullPolicy;
    s.vineyard.syncCRDs = syncCrds;
    s.vineyard.socket = socket;
    s.vineyard.size = size;
    s.vineyard.reserveMemory = reserveMemory;
    if (streamThreshold < 0 || streamThreshold > 100) {
      throw new UserError("--vineyardd.streamThreshold " + streamThreshold + ": must be 0 to 100");
    }
    s.vineyard.streamThreshold = streamThreshold;
    for (String env : envs) {
      int eq = env.indexOf('=');
      if (eq <= 0) {
        throw new UserError("--vineyardd.envs '" + env + "': expected NAME=VALUE");
      }
      s.vineyard.env.add(new EnvVar(env.substring(0, eq), env.substring(eq + 1), null));
    }
    SpillConfig spill = s.vineyard.spill;
    spill.name = spillName;
    spill.path = spillPath;
    spill.spillLowerRate = rate("--vineyardd.spill.spillLowerRate", spillLower);
    spill.spillUpperRate = rate("--vineyardd.spill.spillUpperRate", spillUpper);
    if (!spillPvPvc.isBlank()) {
      Map<String, Object> both =
          json(
              "--vineyardd.spill.pv-pvc-spec",
              spillPvPvc,
              new TypeReference<Map<String, Object>>() {});
      if (both.get("pv-spec") != null) {
        spill.persistentVolumeSpec =
            Serialization.unmarshal(
                Serialization.asJson(both.get("pv-spec")), PersistentVolumeSpec.class);
      }
      if (both.get("pvc-spec") != null) {
        spill.persistentVolumeClaimSpec =
            Serialization.unmarshal(
                Serialization.asJson(both.get("pvc-spec")), PersistentVolumeClaimSpec.class);
      }
    }
    s.vineyard.memory = memory;
    s.vineyard.cpu = cpu;
    s.service.type = serviceType;
    if (servicePort < 1 || servicePort > 65535) {
      throw new UserError("--vineyardd.service.port " + servicePort + ": must be 1 to 65535");
    }
    s.service.port = servicePort;
    s.volume.pvcName = pvcName;
    s.volume.mountPath = mountPath;
    s.metric.enable = metricEnable;
    s.metric.image = metricImage;
    s.metric.imagePullPolicy = metricPullPolicy;
    s.pluginImage.backupImage = backupImage;
    s.pluginImage.recoverImage = recoverImage;
    s.pluginImage.daskRepartitionImage = daskImage;
    s.pluginImage.localAssemblyImage = localAssemblyImage;
    s.pluginImage.distributedAssemblyImage = distributedAssemblyImage;
    if (!securityContext.isBlank()) {
      s.securityContext =
          json("--securityContext", securityContext, new TypeReference<SecurityContext>() {});
    }
    if (!volume.isBlank()) {
      s.volumes = list("--volume", volume, Volume.class);
    }
    if (!volumeMount.isBlank()) {
      s.volumeMounts = list("--volumeMount", volumeMount, VolumeMount.class);
    }
    return v;
  }

  private static String rate(String flag, String value) {
    if (!value.matches(SpillConfig.RATE_PATTERN)) {
      throw new UserError(flag + " '" + value + "': must be a number from 0 to 1, like 0.3");
    }
    return value;
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
  private static final io.fabric8.kubernetes.client.utils.KubernetesSerialization MODEL =
      new io.fabric8.kubernetes.client.utils.KubernetesSerialization();

  static <T> T json(String flag, String text, TypeReference<T> type) {
    try {
      return JSON.readValue(text, type);
    } catch (IOException | RuntimeException e) {
      throw new UserError(flag + ": not valid JSON for this flag: " + KubeSession.rootMessage(e));
    }
  }

  private static <T> List<T> list(String flag, String text, Class<T> type) {
    try {
      var tree = JSON.readTree(text);
      List<T> out = new ArrayList<>();
      if (tree.isArray()) {
        for (var item : tree) {
          out.add(MODEL.convertValue(item, type));
        }
      } else {
        out.add(MODEL.convertValue(tree, type));
      }
      return out;
    } catch (IOException | RuntimeException e) {
      throw new UserError(flag + ": not valid JSON for this flag: " + KubeSession.rootMessage(e));
    }
  }

  static Vineyardd fromFile(Path file, String namespace) {
    Vineyardd v;
    try {
      v = Serialization.unmarshal(Files.readString(file), Vineyardd.class);
    } catch (IOException e) {
      throw new UserError("-f " + file + ": cannot read: " + e.getMessage());
    } catch (RuntimeException e) {
      throw new UserError(
          "-f " + file + ": not a Vineyardd manifest: " + KubeSession.rootMessage(e));
    }
    if (v == null
        || !"Vineyardd".equals(v.getKind())
        || v.getMetadata() == null
        || v.getMetadata().getName() == null) {
      throw new UserError(
          "-f " + file + ": not a Vineyardd manifest (kind Vineyardd with a metadata.name)");
    }
    if (v.getMetadata().getNamespace() == null) {
      v.getMetadata().setNamespace(namespace);
    }
    if (v.getSpec() == null) {
      v.setSpec(new VineyarddSpec());
    }
    return v;
  }
}
