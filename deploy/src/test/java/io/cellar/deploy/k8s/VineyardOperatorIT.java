package io.cellar.deploy.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellar.testing.k8s.KubeControlPlane;
import io.cellar.testing.k8s.KubeControlPlaneExtension;
import io.cellar.testing.k8s.Kubectl;
import io.cellar.testing.k8s.KubectlException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole Kubernetes side on a real control plane (kube-apiserver, controller-manager, scheduler,
 * etcd 3.6, three kwok nodes): {@code vineyardctl deploy vineyard-cluster} with the operator
 * ({@code vineyardctl manager}) running as a child process under its own ServiceAccount token, the
 * CSI driver, strict server-side validation of every rendered object, least privilege, drift
 * repair, an operator restart, bad resources, and deletes that leave nothing behind. kwok only
 * fakes pod status: no container runs, so readiness here is the control plane's view.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VineyardOperatorIT {
  @RegisterExtension
  static final KubeControlPlaneExtension K8S =
      new KubeControlPlaneExtension(KubeControlPlane.builder().nodes(3));

  static final String NS = "vineyard-system";
  static final String NAME = "vineyardd-sample";
  static final String SC = NS + "." + NAME + ".csi";
  static final Duration CLI_TIMEOUT = Duration.ofMinutes(4);

  static Path logs;
  static CliProcess cli;
  static Process operator;
  static Path operatorLog;
  static Path operatorKubeconfig;
  static final Map<String, Long> TIMINGS = new LinkedHashMap<>();

  @BeforeAll
  static void setUp() throws IOException {
    Path target = Path.of(System.getProperty("cellar.repo.root", "..")).resolve("deploy/target");
    logs = Files.createDirectories(target.resolve("k8s-it"));
    cli = new CliProcess(logs);
    operatorLog = logs.resolve("operator.log");
    Files.deleteIfExists(operatorLog);
  }

  @AfterAll
  static void tearDown() throws Exception {
    stopOperator();
    StringBuilder report = new StringBuilder();
    TIMINGS.forEach((k, v) -> report.append(k).append(": ").append(v).append(" ms\n"));
    Files.writeString(logs.resolve("timings.txt"), report.toString());
    System.err.print("cellar k8s timings:\n" + report);
  }

  static KubeControlPlane k8s() {
    return K8S.plane();
  }

  static Kubectl kubectl() {
    return k8s().kubectl();
  }

  static String[] withKubeconfig(String... args) {
    List<String> all = new ArrayList<>(List.of("--kubeconfig", k8s().kubeconfig().toString()));
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }

  static CliProcess.Result vineyardctl(String... args) throws Exception {
    return cli.run(CLI_TIMEOUT, withKubeconfig(args));
  }

  static void startOperator() throws IOException {
    operator =
        cli.start(
            operatorLog,
            "--kubeconfig",
            operatorKubeconfig.toString(),
            "-n",
            NS,
            "manager",
            "--health-probe-bind-address=127.0.0.1:0");
  }

  static void stopOperator() throws InterruptedException {
    if (operator != null && operator.isAlive()) {
      operator.destroy();
      if (!operator.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        operator.destroyForcibly().waitFor();
      }
    }
  }

  static String operatorLogTail() {
    try {
      List<String> lines = Files.readAllLines(operatorLog);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no operator log: " + e + ")";
    }
  }

  static <T> T await(String what, Duration timeout, Callable<T> probe) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        T value = probe.call();
        if (value != null && !Boolean.FALSE.equals(value)) {
          return value;
        }
      } catch (KubectlException e) {
        last = e;
      }
      Thread.sleep(500);
    }
    throw new AssertionError(
        "timed out waiting for "
            + what
            + (last == null ? "" : ": " + last.getMessage())
            + "\n--- operator log\n"
            + operatorLogTail());
  }

  static JsonNode get(String... args) {
    return kubectl().json(args);
  }

  static boolean exists(String kind, String name, String namespace) {
    List<String> args =
        new ArrayList<>(List.of("get", kind, name, "--ignore-not-found", "-o", "name"));
    if (namespace != null) {
      args.add("-n");
      args.add(namespace);
    }
    return !kubectl().run(args.toArray(String[]::new)).isBlank();
  }

  /** Static PVs without a class for the etcd members' claims (no provisioner runs here). */
  static void makeVolumes(String prefix, int count) {
    StringBuilder pvs = new StringBuilder();
    for (int i = 0; i < count; i++) {
      pvs.append(
          """
          ---
          apiVersion: v1
          kind: PersistentVolume
          metadata: {name: %1$s-%2$d, labels: {cellar-test: volume}}
          spec:
            capacity: {storage: 1Gi}
            accessModes: [ReadWriteOnce]
            persistentVolumeReclaimPolicy: Retain
            hostPath: {path: /tmp/cellar-test-%1$s-%2$d}
          """
              .formatted(prefix, i));
    }
    kubectl().apply(pvs.toString());
  }

  @Test
  @Order(1)
  void deployVineyardClusterBringsUpEtcdAndThreeVineyarddWithTheOperator() throws Exception {
    makeVolumes("etcd", 2);
    long start = System.nanoTime();
    CompletableFuture<CliProcess.Result> deploy =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return vineyardctl("deploy", "vineyard-cluster", "--create-namespace");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    // the operator runs under its own ServiceAccount, as it would in its pod
    await(
        "the operator ServiceAccount",
        Duration.ofMinutes(2),
        () -> exists("serviceaccount", "vineyard-manager", NS));
    String token = k8s().serviceAccountToken(NS, "vineyard-manager");
    operatorKubeconfig = k8s().kubectlAs("vineyard-manager", token).kubeconfig();
    startOperator();
    CliProcess.Result result = deploy.get();
    long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
    TIMINGS.put("deploy vineyard-cluster to Ready (CRDs, operator, etcd 1/1, vineyardd 3/3)", took);
    assertEquals(0, result.exit(), result + "\n--- operator\n" + operatorLogTail());
    assertTrue(result.stderr().contains("vineyardd " + NAME + ": ready"), result.toString());
    // the progress line named what was still missing while the operator started
    assertTrue(
        result.stderr().contains("waiting for: Vineyardd " + NS + "/" + NAME), result.toString());

    JsonNode sts = get("get", "statefulset", NAME + "-etcd", "-n", NS, "-o", "json");
    assertEquals(1, sts.path("status").path("readyReplicas").asInt(), sts.toPrettyString());
    assertEquals(
        "data",
        sts.path("spec")
            .path("volumeClaimTemplates")
            .path(0)
            .path("metadata")
            .path("name")
            .asText());
    JsonNode deployment = get("get", "deployment", NAME, "-n", NS, "-o", "json");
    assertEquals(3, deployment.path("status").path("readyReplicas").asInt());
    JsonNode pods =
        get("get", "pods", "-n", NS, "-l", "app.vineyard.io/role=vineyardd", "-o", "json");
    assertEquals(3, pods.path("items").size(), pods.toString());
    Set<String> nodes = new HashSet<>();
    for (JsonNode pod : pods.path("items")) {
      nodes.add(pod.path("spec").path("nodeName").asText());
      boolean ready = false;
      for (JsonNode c : pod.path("status").path("conditions")) {
        ready |=
            c.path("type").asText().equals("Ready") && c.path("status").asText().equals("True");
      }
      assertTrue(ready, pod.path("status").toString());
    }
    assertEquals(Set.copyOf(k8s().nodeNames()), nodes, "one vineyardd per node");
    JsonNode cr = get("get", "vineyardd", NAME, "-n", NS, "-o", "json");
    assertEquals(3, cr.path("status").path("current").asInt(), cr.toPrettyString());
    JsonNode svc = get("get", "service", NAME + "-etcd-service", "-n", NS, "-o", "json");
    assertEquals(2379, svc.path("spec").path("ports").path(0).path("port").asInt());
    assertEquals(
        "None",
        get("get", "service", NAME + "-etcd", "-n", NS, "-o", "json")
            .path("spec")
            .path("clusterIP")
            .asText());
    JsonNode rpc = get("get", "service", NAME + "-rpc", "-n", NS, "-o", "json");
    assertEquals(9600, rpc.path("spec").path("ports").path(0).path("port").asInt());
    String args =
        deployment
            .path("spec")
            .path("template")
            .path("spec")
            .path("containers")
            .path(0)
            .path("args")
            .toString();
    assertTrue(args.contains("--meta=etcd"), args);
    assertTrue(args.contains("--etcd_endpoint=http://" + NAME + "-etcd-service:2379"), args);
    assertTrue(args.contains("--etcd_prefix=/vineyard"), args);
    String volumes =
        deployment.path("spec").path("template").path("spec").path("volumes").toString();
    assertTrue(volumes.contains("/var/run/vineyard-kubernetes/" + NS + "/" + NAME), volumes);
  }

  @Test
  @Order(2)
  void theOperatorAnswersItsProbes() throws Exception {
    java.util.regex.Matcher port =
        java.util.regex.Pattern.compile("health on port (\\d+)")
            .matcher(Files.readString(operatorLog));
    assertTrue(port.find(), operatorLogTail());
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    for (String path : List.of("/healthz", "/readyz")) {
      java.net.http.HttpResponse<String> r =
          http.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create("http://127.0.0.1:" + port.group(1) + path))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), path + ": " + r.body());
      assertEquals("ok", r.body());
    }
  }

  @Test
  @Order(3)
  void deployCsiDriverMakesTheDriverItsWorkloadsAndTheStorageClass() throws Exception {
    long start = System.nanoTime();
    CliProcess.Result result = vineyardctl("deploy", "csidriver", "--clusters", NS + "/" + NAME);
    TIMINGS.put(
        "deploy csidriver to running (controller 1/1, node plugins 3/3)",
        Duration.ofNanos(System.nanoTime() - start).toMillis());
    assertEquals(0, result.exit(), result + "\n--- operator\n" + operatorLogTail());
    JsonNode driver = get("get", "csidriver.storage.k8s.io", "csi.vineyard.v6d.io", "-o", "json");
    assertFalse(driver.path("spec").path("attachRequired").asBoolean(true), driver.toString());
    assertTrue(driver.path("spec").path("podInfoOnMount").asBoolean(), driver.toString());
    JsonNode sc = get("get", "storageclass", SC, "-o", "json");
    assertEquals("csi.vineyard.v6d.io", sc.path("provisioner").asText());
    assertEquals("WaitForFirstConsumer", sc.path("volumeBindingMode").asText());
    assertEquals(NS, sc.path("parameters").path("k8s.v6d.io/vineyard/namespace").asText());
    assertEquals(NAME, sc.path("parameters").path("k8s.v6d.io/vineyard/name").asText());
    JsonNode controller =
        get("get", "deployment", "csidriver-sample-csi-driver", "-n", NS, "-o", "json");
    assertEquals(1, controller.path("status").path("readyReplicas").asInt());
    String containers =
        controller.path("spec").path("template").path("spec").path("containers").toString();
    assertTrue(containers.contains("--extra-create-metadata"), containers);
    JsonNode nodes = get("get", "daemonset", "csidriver-sample-csi-nodes", "-n", NS, "-o", "json");
    assertEquals(
        3, nodes.path("status").path("numberReady").asInt(), nodes.path("status").toString());
    String nodeSpec = nodes.path("spec").path("template").path("spec").toString();
    assertTrue(nodeSpec.contains("\"mountPropagation\":\"Bidirectional\""), nodeSpec);
    assertTrue(nodeSpec.contains("\"privileged\":true"), nodeSpec);
    JsonNode cr = get("get", "csidriver.k8s.v6d.io", "csidriver-sample", "-o", "json");
    assertEquals("running", cr.path("status").path("state").asText(), cr.toPrettyString());

    kubectl()
        .apply(
            """
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: vineyard-objects, namespace: default}
            spec:
              accessModes: [ReadWriteMany]
              resources: {requests: {storage: 1Mi}}
              storageClassName: %s
            """
                .formatted(SC));
    JsonNode pvc = get("get", "pvc", "vineyard-objects", "-n", "default", "-o", "json");
    assertEquals(SC, pvc.path("spec").path("storageClassName").asText());
    assertEquals(
        "Pending", pvc.path("status").path("phase").asText(), "waits for its first consumer");
  }

  @Test
  @Order(4)
  void everyRenderedObjectPassesStrictServerValidation() throws Exception {
    List<String[]> renders =
        List.of(
            new String[] {"manifests"},
            new String[] {"manifests", "vineyardd"},
            new String[] {
              "manifests",
              "vineyard-deployment",
              "--name",
              "plain",
              "--vineyardd.spill.config",
              "spill",
              "--vineyardd.spill.path",
              "/spill",
              "--vineyardd.metric.enable"
            },
            new String[] {"manifests", "csidriver", "--clusters", NS + "/" + NAME},
            new String[] {
              "manifests",
              "csidriver",
              "--rendered",
              "--clusters",
              NS + "/" + NAME,
              "--sidecar.enableTopology",
              "--enableToleration"
            });
    for (String[] render : renders) {
      CliProcess.Result yaml = cli.run(CLI_TIMEOUT, render);
      assertEquals(0, yaml.exit(), yaml.toString());
      String out =
          kubectl()
              .runWithInput(
                  yaml.stdout(), "apply", "--dry-run=server", "--validate=strict", "-f", "-");
      assertFalse(out.isBlank(), String.join(" ", render));
    }
    // the no-CLI path: the kustomize tree and the samples
    Path tree = Path.of(System.getProperty("cellar.repo.root", "..")).resolve("deploy/kubernetes");
    for (String dir : List.of("default", "samples")) {
      String out =
          kubectl()
              .run(
                  "apply",
                  "-k",
                  tree.resolve(dir).toString(),
                  "--dry-run=server",
                  "--validate=strict");
      assertFalse(out.isBlank(), dir);
    }
  }

  @Test
  @Order(5)
  void theOperatorTokenDoesWhatTheOperatorNeedsAndNothingElse() throws Exception {
    String token = k8s().serviceAccountToken(NS, "vineyard-manager");
    Kubectl op = k8s().kubectlAs("operator-check", token);
    op.run("get", "vineyardds", "--all-namespaces");
    op.run("get", "csidrivers.k8s.v6d.io");
    op.run(
        "get",
        "deployments,statefulsets,daemonsets,services,persistentvolumeclaims",
        "--all-namespaces");
    op.run("get", "storageclasses,csidrivers.storage.k8s.io,persistentvolumes");
    op.run("get", "clusterroles", "csidriver-sample-csi-provisioner");
    for (String[] refused :
        List.of(
            new String[] {"get", "secrets", "-n", "kube-system"},
            new String[] {"get", "secrets", "-n", NS},
            new String[] {"get", "configmaps", "-n", "default"},
            new String[] {"get", "pods", "-n", NS},
            new String[] {"create", "namespace", "not-allowed"},
            new String[] {
              "create", "clusterrolebinding", "escalate", "--clusterrole=cluster-admin", "--user=me"
            })) {
      KubectlException e = assertThrows(KubectlException.class, () -> op.run(refused));
      assertTrue(e.stderr().contains("Forbidden") || e.stderr().contains("forbidden"), e.stderr());
    }
  }

  static String uid(String kind, String name, String namespace) {
    List<String> args =
        new ArrayList<>(List.of("get", kind, name, "-o", "jsonpath={.metadata.uid}"));
    if (namespace != null) {
      args.add("-n");
      args.add(namespace);
    }
    return kubectl().run(args.toArray(String[]::new)).strip();
  }

  @Test
  @Order(6)
  void aDeletedOrEditedChildComesBack() throws Exception {
    for (String svc : List.of(NAME + "-rpc", NAME + "-etcd-service")) {
      String before = uid("service", svc, NS);
      long start = System.nanoTime();
      kubectl().run("delete", "service", svc, "-n", NS, "--wait=true");
      String after =
          await(
              "Service " + svc + " back",
              Duration.ofSeconds(60),
              () -> {
                String u =
                    kubectl()
                        .run(
                            "get",
                            "service",
                            svc,
                            "-n",
                            NS,
                            "--ignore-not-found",
                            "-o",
                            "jsonpath={.metadata.uid}")
                        .strip();
                return u.isEmpty() ? null : u;
              });
      TIMINGS.put(
          "Service " + svc + " deleted -> back",
          Duration.ofNanos(System.nanoTime() - start).toMillis());
      assertNotEquals(before, after);
    }
    kubectl().run("scale", "deployment", NAME, "-n", NS, "--replicas=1");
    await(
        "vineyardd Deployment back to 3 replicas",
        Duration.ofSeconds(60),
        () ->
            get("get", "deployment", NAME, "-n", NS, "-o", "json")
                    .path("spec")
                    .path("replicas")
                    .asInt()
                == 3);
    kubectl().run("delete", "storageclass", SC);
    await("StorageClass back", Duration.ofSeconds(60), () -> exists("storageclass", SC, null));
  }

  static Map<String, String> children() {
    Map<String, String> uids = new TreeMap<>();
    JsonNode items =
        get(
            "get",
            "deployments,statefulsets,daemonsets,services,serviceaccounts",
            "--all-namespaces",
            "-l",
            "app.kubernetes.io/managed-by=vineyard-operator",
            "-o",
            "json");
    for (JsonNode i : items.path("items")) {
      uids.put(
          i.path("kind").asText()
              + " "
              + i.path("metadata").path("namespace").asText()
              + "/"
              + i.path("metadata").path("name").asText(),
          i.path("metadata").path("uid").asText());
    }
    JsonNode cluster =
        get(
            "get",
            "storageclasses,clusterroles,clusterrolebindings,csidrivers.storage.k8s.io",
            "-l",
            "app.kubernetes.io/managed-by=vineyard-operator",
            "-o",
            "json");
    for (JsonNode i : cluster.path("items")) {
      uids.put(
          i.path("kind").asText() + " " + i.path("metadata").path("name").asText(),
          i.path("metadata").path("uid").asText());
    }
    return uids;
  }

  @Test
  @Order(7)
  void anOperatorRestartCreatesNoDuplicates() throws Exception {
    Map<String, String> before = children();
    assertTrue(before.size() >= 11, before.toString());
    stopOperator();
    startOperator();
    await(
        "the restarted operator has reconciled",
        Duration.ofSeconds(90),
        () ->
            Files.readString(operatorLog).split("vineyardctl manager: reconciling", -1).length
                >= 3);
    Thread.sleep(5000); // its first reconciles of both resources
    assertEquals(before, children());
    assertEquals(
        3,
        get("get", "vineyardd", NAME, "-n", NS, "-o", "json")
            .path("status")
            .path("current")
            .asInt());
  }

  @Test
  @Order(8)
  void aCsiDriverNamingAMissingClusterGetsAConditionAndTheOperatorGoesOn() throws Exception {
    kubectl()
        .run(
            "patch",
            "csidriver.k8s.v6d.io",
            "csidriver-sample",
            "--type=merge",
            "-p",
            "{\"spec\":{\"clusters\":[{\"namespace\":\""
                + NS
                + "\",\"name\":\""
                + NAME
                + "\"},{\"namespace\":\"nowhere\",\"name\":\"missing\"}]}}");
    JsonNode condition =
        await(
            "ClustersFound=False",
            Duration.ofSeconds(60),
            () -> {
              for (JsonNode c :
                  get("get", "csidriver.k8s.v6d.io", "csidriver-sample", "-o", "json")
                      .path("status")
                      .path("conditions")) {
                if (c.path("type").asText().equals("ClustersFound")
                    && c.path("status").asText().equals("False")) {
                  return c;
                }
              }
              return null;
            });
    assertEquals("ClusterNotFound", condition.path("reason").asText());
    assertTrue(
        condition.path("message").asText().contains("nowhere/missing"), condition.toString());
    assertTrue(exists("storageclass", SC, null), "the found cluster keeps its class");
    assertFalse(exists("storageclass", "nowhere.missing.csi", null));
    // the operator still repairs other resources meanwhile
    kubectl().run("delete", "service", NAME + "-rpc", "-n", NS);
    await("rpc Service back", Duration.ofSeconds(60), () -> exists("service", NAME + "-rpc", NS));
    // a second CSIDriver is told which one is in charge
    kubectl()
        .apply(
            "apiVersion: k8s.v6d.io/v1alpha1\nkind: CSIDriver\nmetadata: {name: csidriver-two}\nspec: {clusters: []}\n");
    JsonNode duplicate =
        await(
            "Duplicate condition",
            Duration.ofSeconds(60),
            () -> {
              for (JsonNode c :
                  get("get", "csidriver.k8s.v6d.io", "csidriver-two", "-o", "json")
                      .path("status")
                      .path("conditions")) {
                if (c.path("reason").asText().equals("Duplicate")) {
                  return c;
                }
              }
              return null;
            });
    assertTrue(
        duplicate.path("message").asText().contains("csidriver-sample"), duplicate.toString());
    kubectl().run("delete", "csidriver.k8s.v6d.io", "csidriver-two");
    // a child the server refuses is named in the status; the rest is applied
    kubectl().run("create", "namespace", "bad");
    makeVolumes("bad", 1);
    kubectl()
        .apply(
            "apiVersion: k8s.v6d.io/v1alpha1\nkind: Vineyardd\nmetadata: {name: bad, namespace: bad}\nspec: {replicas: 1, vineyard: {cpu: not-a-quantity}}\n");
    JsonNode reconciled =
        await(
            "Reconciled=False on the bad Vineyardd",
            Duration.ofSeconds(60),
            () -> {
              for (JsonNode c :
                  get("get", "vineyardd", "bad", "-n", "bad", "-o", "json")
                      .path("status")
                      .path("conditions")) {
                if (c.path("type").asText().equals("Reconciled")
                    && c.path("status").asText().equals("False")) {
                  return c;
                }
              }
              return null;
            });
    assertEquals("ApplyFailed", reconciled.path("reason").asText());
    assertTrue(
        reconciled.path("message").asText().contains("Deployment bad"), reconciled.toString());
    assertTrue(exists("statefulset", "bad-etcd", "bad"), "the other children are applied");
    assertTrue(operator.isAlive(), operatorLogTail());
    kubectl().run("delete", "namespace", "bad", "--wait=true", "--timeout=120s");
  }

  @Test
  @Order(9)
  void deployVineyardDeploymentRunsAClusterWithoutTheOperator() throws Exception {
    makeVolumes("plain", 1);
    long start = System.nanoTime();
    CliProcess.Result result =
        vineyardctl(
            "-n",
            "plain",
            "deploy",
            "vineyard-deployment",
            "--name",
            "vd",
            "--replicas",
            "2",
            "--create-namespace");
    TIMINGS.put(
        "deploy vineyard-deployment to Ready (etcd 1/1, vineyardd 2/2)",
        Duration.ofNanos(System.nanoTime() - start).toMillis());
    assertEquals(0, result.exit(), result.toString());
    JsonNode d = get("get", "deployment", "vd", "-n", "plain", "-o", "json");
    assertEquals(2, d.path("status").path("readyReplicas").asInt());
    assertEquals(
        "vineyardctl",
        d.path("metadata").path("labels").path("app.kubernetes.io/managed-by").asText());
    assertTrue(d.path("metadata").path("ownerReferences").isMissingNode());
    assertEquals(
        1,
        get("get", "statefulset", "vd-etcd", "-n", "plain", "-o", "json")
            .path("status")
            .path("readyReplicas")
            .asInt());
    // the CSI driver takes a cluster deployed without the operator (found by its Deployment)
    kubectl()
        .run(
            "patch",
            "csidriver.k8s.v6d.io",
            "csidriver-sample",
            "--type=merge",
            "-p",
            "{\"spec\":{\"clusters\":[{\"namespace\":\""
                + NS
                + "\",\"name\":\""
                + NAME
                + "\"},{\"namespace\":\"plain\",\"name\":\"vd\"}]}}");
    await(
        "StorageClass plain.vd.csi",
        Duration.ofSeconds(60),
        () -> exists("storageclass", "plain.vd.csi", null));
    result = vineyardctl("-n", "plain", "delete", "vineyard-deployment", "--name", "vd");
    assertEquals(0, result.exit(), result.toString());
    assertEquals(
        "",
        kubectl()
            .run("get", "deployments,statefulsets,services", "-n", "plain", "-o", "name")
            .strip());
    await(
        "the etcd claim gone",
        Duration.ofSeconds(60),
        () -> kubectl().run("get", "pvc", "-n", "plain", "-o", "name").isBlank());
    await(
        "StorageClass plain.vd.csi pruned",
        Duration.ofSeconds(60),
        () -> !exists("storageclass", "plain.vd.csi", null));
    kubectl().run("delete", "namespace", "plain", "--wait=true", "--timeout=120s");
  }

  @Test
  @Order(10)
  void theReferenceSampleIsAcceptedAndReconciled() throws Exception {
    String sample =
        """
        apiVersion: k8s.v6d.io/v1alpha1
        kind: Vineyardd
        metadata:
          name: vineyardd-sample
          # don't use default namespace
          namespace: vineyard-system
        spec:
          replicas: 2
          vineyard:
            image: vineyardcloudnative/vineyardd:latest
            imagePullPolicy: IfNotPresent
            # vineyardd's configuration
            size: ""
            syncCRDs: true
          spill:
            name: spill-path
            path: /var/checkpoint/spill
            persistentVolumeSpec:
              storageClassName: manual
              capacity:
                storage: 1Gi
              accessModes:
                - ReadWriteOnce
              hostPath:
                path: /var/vineyard/spill
            persistentVolumeClaimSpec:
              storageClassName: manual
              accessModes:
                - ReadWriteOnce
              resources:
                requests:
                  storage: 256Mi
          service:
            type: ClusterIP
            port: 9600
        """;
    kubectl().runWithInput(sample, "apply", "--validate=strict", "-f", "-");
    await(
        "the sample reconciled to 2 replicas",
        Duration.ofSeconds(90),
        () -> {
          JsonNode cr = get("get", "vineyardd", NAME, "-n", NS, "-o", "json");
          return cr.path("status").path("current").asInt() == 2
              && cr.path("status").path("observedGeneration").asLong()
                  == cr.path("metadata").path("generation").asLong();
        });
    JsonNode deployment = get("get", "deployment", NAME, "-n", NS, "-o", "json");
    assertEquals(2, deployment.path("spec").path("replicas").asInt());
    String spec = deployment.path("spec").path("template").path("spec").toString();
    assertTrue(spec.contains("vineyardcloudnative/vineyardd:latest"), spec);
    assertTrue(spec.contains("--spill_path=/var/checkpoint/spill"), spec);
    assertTrue(exists("pvc", "spill-path", NS));
    assertTrue(exists("pv", NS + "-spill-path", null));
  }

  @Test
  @Order(11)
  void negativeReplicasAreRefusedByTheSchema() {
    KubectlException refused =
        assertThrows(
            KubectlException.class,
            () ->
                kubectl()
                    .runWithInput(
                        "apiVersion: k8s.v6d.io/v1alpha1\nkind: Vineyardd\nmetadata: {name: negative, namespace: default}\nspec: {replicas: -1}\n",
                        "apply",
                        "-f",
                        "-"));
    assertTrue(refused.stderr().contains("spec.replicas"), refused.stderr());
    assertTrue(refused.stderr().contains("greater than or equal to 0"), refused.stderr());
    KubectlException mode =
        assertThrows(
            KubectlException.class,
            () ->
                kubectl()
                    .runWithInput(
                        "apiVersion: k8s.v6d.io/v1alpha1\nkind: CSIDriver\nmetadata: {name: bad-mode}\nspec: {volumeBindingMode: Sometimes}\n",
                        "apply",
                        "-f",
                        "-"));
    assertTrue(mode.stderr().contains("spec.volumeBindingMode"), mode.stderr());
  }

  @Test
  @Order(12)
  void deleteCsiDriverLeavesNothingBehind() throws Exception {
    kubectl().run("delete", "pvc", "vineyard-objects", "-n", "default");
    long start = System.nanoTime();
    CliProcess.Result result = vineyardctl("delete", "csidriver");
    TIMINGS.put(
        "delete csidriver until gone", Duration.ofNanos(System.nanoTime() - start).toMillis());
    assertEquals(0, result.exit(), result.toString());
    assertEquals("", kubectl().run("get", "csidrivers.k8s.v6d.io", "-o", "name").strip());
    assertEquals("", kubectl().run("get", "csidrivers.storage.k8s.io", "-o", "name").strip());
    assertEquals("", kubectl().run("get", "storageclasses", "-o", "name").strip());
    assertEquals(
        "",
        kubectl()
            .run(
                "get",
                "clusterroles,clusterrolebindings",
                "-l",
                "app.vineyard.io/name=csidriver-sample",
                "-o",
                "name")
            .strip());
    assertEquals(
        "",
        kubectl()
            .run(
                "get",
                "deployments,daemonsets,serviceaccounts,pods",
                "-n",
                NS,
                "-l",
                "app.vineyard.io/name=csidriver-sample",
                "-o",
                "name")
            .strip());
  }

  @Test
  @Order(13)
  void deleteVineyardClusterLeavesNothingBehind() throws Exception {
    long start = System.nanoTime();
    CliProcess.Result result = vineyardctl("delete", "vineyard-cluster");
    TIMINGS.put(
        "delete vineyard-cluster until gone",
        Duration.ofNanos(System.nanoTime() - start).toMillis());
    assertEquals(0, result.exit(), result + "\n--- operator\n" + operatorLogTail());
    assertFalse(exists("namespace", NS, null), "the namespace vineyardctl created is gone");
    assertEquals("", kubectl().run("get", "crd", "-o", "name").strip());
    assertEquals(
        "",
        kubectl()
            .run(
                "get",
                "clusterroles,clusterrolebindings",
                "-o",
                "name",
                "-l",
                "app.kubernetes.io/managed-by in (vineyardctl,vineyard-operator)")
            .strip());
    assertEquals(
        "",
        kubectl()
            .run(
                "get",
                "deployments,statefulsets,daemonsets,services,pvc,serviceaccounts,roles,rolebindings",
                "--all-namespaces",
                "-o",
                "name",
                "-l",
                "app.kubernetes.io/managed-by in (vineyardctl,vineyard-operator)")
            .strip());
    assertEquals(
        "", kubectl().run("get", "pv", "-l", "app.vineyard.io/name", "-o", "name").strip());
    kubectl().run("delete", "pv", "-l", "cellar-test=volume");
  }
}
