package io.cellar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.deploy.crd.CsiDriver;
import io.cellar.deploy.crd.Vineyardd;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** vineyardctl's Kubernetes commands without a cluster: flags, messages, exit codes, manifests. */
class VineyardctlKubeFlagsTest {
  @TempDir Path tmp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Vineyardctl.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  private String firstLine() {
    return err.toString().lines().findFirst().orElse("");
  }

  private void noStackTrace() {
    assertFalse(err.toString().contains("\tat "), err.toString());
    assertFalse(err.toString().contains("Exception:"), err.toString());
  }

  private Path unreachableKubeconfig() throws Exception {
    Path file = tmp.resolve("kubeconfig");
    Files.writeString(
        file,
        """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
        users: [{name: u, user: {token: t}}]
        contexts: [{name: x, context: {cluster: c, user: u}}]
        current-context: x
        """);
    return file;
  }

  @Test
  void clustersThatAreNotNamespaceSlashNameAreRefusedNamingTheFlag() throws Exception {
    assertEquals(
        1,
        run(
            "--kubeconfig",
            unreachableKubeconfig().toString(),
            "deploy",
            "csidriver",
            "--clusters",
            "a"));
    assertTrue(firstLine().contains("--clusters 'a'"), firstLine());
    assertTrue(firstLine().contains("NAMESPACE/NAME"), firstLine());
    noStackTrace();
  }

  @Test
  void anUnknownVolumeBindingModeIsAUsageErrorNamingTheFlag() {
    assertEquals(
        2, run("deploy", "csidriver", "--clusters", "ns/vd", "--volumeBindingMode", "Sometimes"));
    assertTrue(firstLine().contains("--volumeBindingMode"), firstLine());
    assertTrue(firstLine().contains("WaitForFirstConsumer"), firstLine());
  }

  @Test
  void noReachableApiServerIsOneLineAndExitOne() throws Exception {
    assertEquals(
        1,
        run(
            "--kubeconfig",
            unreachableKubeconfig().toString(),
            "deploy",
            "csidriver",
            "--clusters",
            "ns/vd"));
    assertTrue(
        firstLine().contains("no reachable Kubernetes API server at https://127.0.0.1:1"),
        firstLine());
    assertTrue(firstLine().contains("--kubeconfig"), firstLine());
    noStackTrace();
  }

  @Test
  void aMissingKubeconfigFileIsNamed() {
    assertEquals(1, run("delete", "csidriver", "--kubeconfig", tmp.resolve("nope").toString()));
    assertTrue(firstLine().contains("--kubeconfig " + tmp.resolve("nope")), firstLine());
    noStackTrace();
  }

  @Test
  void negativeReplicasAreRefusedBeforeAnyConnection() throws Exception {
    assertEquals(
        1,
        run(
            "--kubeconfig",
            unreachableKubeconfig().toString(),
            "deploy",
            "vineyardd",
            "--replicas",
            "-1"));
    assertTrue(firstLine().contains("--replicas -1"), firstLine());
  }

  @Test
  void badSpillRateAndJsonFlagsAreNamed() {
    assertEquals(1, run("manifests", "vineyardd", "--vineyardd.spill.spillLowerRate", "high"));
    assertTrue(firstLine().contains("--vineyardd.spill.spillLowerRate 'high'"), firstLine());
    err.getBuffer().setLength(0);
    assertEquals(1, run("manifests", "vineyardd", "--securityContext", "{not json"));
    assertTrue(firstLine().contains("--securityContext"), firstLine());
  }

  private List<HasMetadata> objects() {
    KubernetesSerialization serialization = new KubernetesSerialization();
    serialization.registerKubernetesResource(Vineyardd.class);
    serialization.registerKubernetesResource(CsiDriver.class);
    Object parsed =
        serialization.unmarshal(
            new ByteArrayInputStream(out.toString().getBytes(StandardCharsets.UTF_8)));
    if (parsed instanceof List<?> list) {
      return list.stream().map(HasMetadata.class::cast).toList();
    }
    return List.of((HasMetadata) parsed);
  }

  @Test
  void manifestsPrintsTheOperatorObjectsAndGlobalFlagsWorkAfterTheSubcommand() {
    assertEquals(0, run("manifests", "-n", "elsewhere"), err.toString());
    List<HasMetadata> objects = objects();
    List<String> kinds = objects.stream().map(HasMetadata::getKind).toList();
    assertEquals(
        List.of(
            "Namespace",
            "CustomResourceDefinition",
            "CustomResourceDefinition",
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "Deployment"),
        kinds);
    for (HasMetadata o : objects) {
      if (o.getMetadata().getNamespace() != null) {
        assertEquals("elsewhere", o.getMetadata().getNamespace(), o.getKind());
      }
    }
    out.getBuffer().setLength(0);
    assertEquals(0, run("-n", "elsewhere", "manifests", "--crds"));
    assertEquals(2, objects().size());
  }

  @Test
  void manifestsOfTheResourcesCarryTheFlags() {
    assertEquals(0, run("manifests", "vineyardd", "--name", "vd", "--replicas", "2", "-n", "team"));
    Vineyardd v = (Vineyardd) objects().getFirst();
    assertEquals("team", v.getMetadata().getNamespace());
    assertEquals(2, v.getSpec().replicas);
    out.getBuffer().setLength(0);
    assertEquals(
        0, run("manifests", "csidriver", "--clusters", "a/b,c/d", "-m", "Immediate", "--verbose"));
    CsiDriver cr = (CsiDriver) objects().getFirst();
    assertEquals(2, cr.getSpec().clusters.size());
    assertEquals("c.d.csi", cr.getSpec().clusters.get(1).storageClassName());
    assertTrue(cr.getSpec().enableVerboseLog);
    out.getBuffer().setLength(0);
    assertEquals(0, run("manifests", "csidriver", "--rendered", "--clusters", "a/b", "-n", "ops"));
    List<String> kinds = objects().stream().map(HasMetadata::getKind).toList();
    assertEquals(
        List.of(
            "CSIDriver",
            "ClusterRole",
            "ClusterRoleBinding",
            "StorageClass",
            "ServiceAccount",
            "Deployment",
            "DaemonSet"),
        kinds);
  }

  @Test
  void sidecarsHostNetworkAndKubeletDirReachTheResourcesAndBadValuesAreNamed() {
    assertEquals(
        0,
        run(
            "manifests",
            "csidriver",
            "--clusters",
            "a/b",
            "--sidecars",
            "builtin",
            "--hostNetwork",
            "--kubeletDir",
            "/srv/kubelet/",
            "--deleteObjects",
            "--objectPrefix",
            "/mnt/v/"),
        err.toString());
    CsiDriver cr = (CsiDriver) objects().getFirst();
    assertTrue(cr.getSpec().deleteObjects);
    assertEquals("/mnt/v/", cr.getSpec().objectPrefix);
    assertEquals(io.cellar.deploy.crd.SidecarMode.builtin, cr.getSpec().sidecars);
    assertTrue(cr.getSpec().hostNetwork);
    assertEquals("/srv/kubelet", cr.getSpec().kubeletDir);
    out.getBuffer().setLength(0);
    assertEquals(0, run("manifests", "csidriver", "--clusters", "a/b"));
    assertEquals(
        io.cellar.deploy.crd.SidecarMode.standard,
        ((CsiDriver) objects().getFirst()).getSpec().sidecars);

    assertEquals(2, run("manifests", "csidriver", "--sidecars", "none"));
    assertTrue(firstLine().contains("--sidecars"), firstLine());
    err.getBuffer().setLength(0);
    assertEquals(1, run("manifests", "csidriver", "--kubeletDir", "relative/dir"));
    assertTrue(firstLine().contains("--kubeletDir 'relative/dir'"), firstLine());
    err.getBuffer().setLength(0);
    assertEquals(1, run("manifests", "csidriver", "--objectPrefix", "data/"));
    assertTrue(firstLine().contains("--objectPrefix 'data/'"), firstLine());
    noStackTrace();
  }

  @Test
  void aHostNetworkClusterHasOneEtcdMemberAndMayKeepItInAnEmptyDir() {
    out.getBuffer().setLength(0);
    assertEquals(
        0,
        run("manifests", "vineyardd", "--hostNetwork", "--etcd.storage", "", "--replicas", "1"),
        err.toString());
    Vineyardd v = (Vineyardd) objects().getFirst();
    assertTrue(v.getSpec().hostNetwork);
    assertEquals("", v.getSpec().etcd.storage);
    assertEquals(1, run("manifests", "vineyardd", "--hostNetwork", "--etcd.replicas", "3"));
    assertTrue(firstLine().contains("--etcd.replicas 3 with --hostNetwork"), firstLine());
    err.getBuffer().setLength(0);
    assertEquals(1, run("manifests", "vineyardd", "--etcd.storage", "lots"));
    assertTrue(firstLine().contains("--etcd.storage 'lots'"), firstLine());
    noStackTrace();
  }

  @Test
  void waitAcceptsTheReferenceSpelling() {
    assertEquals(0, run("manifests", "--wait=false", "--create-namespace", "--crds"));
    assertEquals(0, run("manifests", "--wait", "false", "--crds"), err.toString());
  }
}
