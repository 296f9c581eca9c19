package io.cellar.deploy.cli;

import io.cellar.deploy.crd.CsiDriver;
import io.cellar.deploy.crd.CsiDriverSpec;
import io.cellar.deploy.crd.ImagePullPolicy;
import io.cellar.deploy.crd.Images;
import io.cellar.deploy.crd.SidecarMode;
import io.cellar.deploy.crd.VineyardCluster;
import io.cellar.deploy.crd.VolumeBindingMode;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The flags that describe a {@link CsiDriver} (the reference's {@code csidriver_flags.go}: same
 * names, short names and defaults, except Cellar's images). Not thread-safe.
 */
public final class CsiDriverFlags {
  @Option(
      names = "--name",
      defaultValue = "csidriver-sample",
      description = "The name of the csi driver cr (default: ${DEFAULT-VALUE}).")
  String name;

  @Option(
      names = {"-i", "--image"},
      defaultValue = Images.VINEYARDCTL,
      description = "The image of vineyard csi driver (default: ${DEFAULT-VALUE}).")
  String image;

  @Option(
      names = "--imagePullPolicy",
      defaultValue = "IfNotPresent",
      description =
          "The image pull policy of vineyard csi driver: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  ImagePullPolicy imagePullPolicy;

  @Option(
      names = {"-s", "--storageClassName"},
      defaultValue = "vineyard-csi",
      description =
          "The name of storage class; accepted and unused, as in the reference: classes are named {ns}.{name}.csi (default: ${DEFAULT-VALUE}).")
  String storageClassName;

  @Option(
      names = {"-m", "--volumeBindingMode"},
      defaultValue = "WaitForFirstConsumer",
      description =
          "The volume binding mode of the storage class: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  VolumeBindingMode volumeBindingMode;

  @Option(
      names = "--enableToleration",
      arity = "0..1",
      fallbackValue = "true",
      description = "Enable toleration for vineyard csi driver (default: false).")
  boolean enableToleration;

  @Option(
      names = "--provisionerImage",
      defaultValue = Images.CSI_PROVISIONER,
      description = "The image of csi provisioner (default: ${DEFAULT-VALUE}).")
  String provisionerImage;

  @Option(
      names = "--attacherImage",
      defaultValue = Images.CSI_ATTACHER,
      description =
          "The image of csi attacher; accepted, not deployed: nothing needs attaching (default: ${DEFAULT-VALUE}).")
  String attacherImage;

  @Option(
      names = "--nodeRegistrarImage",
      defaultValue = Images.CSI_NODE_REGISTRAR,
      description = "The image of csi nodeRegistrar (default: ${DEFAULT-VALUE}).")
  String nodeRegistrarImage;

  @Option(
      names = "--livenessProbeImage",
      defaultValue = Images.CSI_LIVENESS_PROBE,
      description = "The image of livenessProbe (default: ${DEFAULT-VALUE}).")
  String livenessProbeImage;

  @Option(
      names = "--sidecar.imagePullPolicy",
      defaultValue = "Always",
      description = "The image pull policy of all sidecar containers (default: ${DEFAULT-VALUE}).")
  ImagePullPolicy sidecarPullPolicy;

  @Option(
      names = "--sidecar.enableTopology",
      arity = "0..1",
      fallbackValue = "true",
      description = "Enable topology for the csi driver (default: false).")
  boolean enableTopology;

  @Option(
      names = "--sidecars",
      defaultValue = "standard",
      description =
          "Who does the CSI sidecars' work: standard (the sidecar images) or builtin (the driver"
              + " itself registers with the kubelet, provisions and serves /healthz; no sidecar"
              + " image); Cellar (default: ${DEFAULT-VALUE}).")
  SidecarMode sidecars;

  @Option(
      names = "--hostNetwork",
      arity = "0..1",
      fallbackValue = "true",
      description =
          "Run the csi driver pods in the host's network namespace; Cellar (default: false).")
  boolean hostNetwork;

  @Option(
      names = "--deleteObjects",
      arity = "0..1",
      fallbackValue = "true",
      description =
          "Deleting a volume deletes the objects named under --objectPrefix in its vineyard"
              + " cluster; Cellar (default: false, as the reference: they stay).")
  boolean deleteObjects;

  @Option(
      names = "--objectPrefix",
      defaultValue = "/vineyard/data/",
      paramLabel = "PATH",
      description =
          "The in-pod path under which steps name their objects (the claim's mountPath and a"
              + " slash); Cellar (default: ${DEFAULT-VALUE}).")
  String objectPrefix;

  @Option(
      names = "--kubeletDir",
      defaultValue = "/var/lib/kubelet",
      paramLabel = "DIR",
      description =
          "The kubelet's root directory on the nodes; Cellar (default: ${DEFAULT-VALUE}).")
  String kubeletDir;

  @Option(
      names = "--clusters",
      split = ",",
      paramLabel = "NAMESPACE/NAME",
      description = "The list of vineyard clusters.")
  List<String> clusters = new ArrayList<>();

  /** Creates the flags (picocli fills them). */
  public CsiDriverFlags() {}

  /**
   * Parses {@code --clusters}.
   *
   * @param values {@code ns/name} strings
   * @return the clusters
   * @throws UserError naming {@code --clusters} when one is not {@code ns/name}
   */
  static List<VineyardCluster> parseClusters(List<String> values) {
    List<VineyardCluster> out = new ArrayList<>();
    for (String value : values) {
      String[] parts = value.split("/", -1);
      if (parts.length != 2
          || !parts[0].matches(
              VineyardCluster.DNS_LABEL.substring(1, VineyardCluster.DNS_LABEL.length() - 1))
          || !parts[1].matches(
              VineyardCluster.DNS_SUBDOMAIN.substring(
                  1, VineyardCluster.DNS_SUBDOMAIN.length() - 1))) {
        throw new UserError(
            "--clusters '"
                + value
                + "': expected NAMESPACE/NAME of a vineyard cluster, e.g. vineyard-system/vineyardd-sample");
      }
      VineyardCluster c = new VineyardCluster(parts[0], parts[1]);
      if (!out.contains(c)) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * The CSIDriver the flags describe.
   *
   * @param verbose the global {@code --verbose} (sets {@code enableVerboseLog})
   * @return the resource
   * @throws UserError naming the flag whose value is wrong
   */
  public CsiDriver build(boolean verbose) {
    CsiDriver cr = new CsiDriver();
    cr.setMetadata(new ObjectMetaBuilder().withName(name).build());
    CsiDriverSpec s = cr.getSpec();
    s.image = image;
    s.imagePullPolicy = imagePullPolicy;
    s.storageClassName = storageClassName;
    s.volumeBindingMode = volumeBindingMode;
    s.enableToleration = enableToleration;
    s.enableVerboseLog = verbose;
    s.sidecar.provisionerImage = provisionerImage;
    s.sidecar.attacherImage = attacherImage;
    s.sidecar.nodeRegistrarImage = nodeRegistrarImage;
    s.sidecar.livenessProbeImage = livenessProbeImage;
    s.sidecar.imagePullPolicy = sidecarPullPolicy;
    s.sidecar.enableTopology = enableTopology;
    s.sidecars = sidecars;
    s.hostNetwork = hostNetwork;
    if (!objectPrefix.startsWith("/")) {
      throw new UserError("--objectPrefix '" + objectPrefix + "': expected an absolute path");
    }
    s.deleteObjects = deleteObjects;
    s.objectPrefix = objectPrefix;
    if (!kubeletDir.startsWith("/") || kubeletDir.length() < 2 || kubeletDir.contains("//")) {
      throw new UserError("--kubeletDir '" + kubeletDir + "': expected an absolute directory");
    }
    s.kubeletDir =
        kubeletDir.endsWith("/") ? kubeletDir.substring(0, kubeletDir.length() - 1) : kubeletDir;
    s.clusters = parseClusters(clusters);
    return cr;
  }
}
