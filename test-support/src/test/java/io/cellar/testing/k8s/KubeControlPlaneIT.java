package io.cellar.testing.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The control-plane harness against real processes: three kwok nodes, workloads that roll out,
 * server-side validation, RBAC through a ServiceAccount token, and a close that leaves nothing
 * behind. The last test closes the plane itself.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubeControlPlaneIT {
  @RegisterExtension
  static final KubeControlPlaneExtension K8S =
      new KubeControlPlaneExtension(KubeControlPlane.builder().nodes(3));

  private static final String IMAGE = "registry.invalid/cellar/never-pulled:1";

  @Test
  @Order(1)
  void threeFakeNodesAreReadyAndKubectlTalksToTheServer() {
    KubeControlPlane k8s = K8S.plane();
    JsonNode nodes = k8s.kubectl().json("get", "nodes");
    assertEquals(3, nodes.path("items").size(), nodes.toPrettyString());
    assertEquals(List.of(), FakeNodes.notReady(nodes, k8s.nodeNames()));
    for (JsonNode node : nodes.path("items")) {
      String name = node.path("metadata").path("name").asText();
      assertEquals(
          "fake", node.path("metadata").path("annotations").path("kwok.x-k8s.io/node").asText());
      assertEquals(
          name, node.path("metadata").path("labels").path("kubernetes.io/hostname").asText());
      assertEquals("110", node.path("status").path("allocatable").path("pods").asText());
    }
    JsonNode version = k8s.kubectl().json("version");
    assertEquals("v1.34.4", version.path("clientVersion").path("gitVersion").asText());
    assertEquals("v1.34.4", version.path("serverVersion").path("gitVersion").asText());
    assertTrue(k8s.apiServerUrl().startsWith("https://127.0.0.1:"), k8s.apiServerUrl());
  }

  @Test
  @Order(2)
  void deploymentAndStatefulSetRollOutOntoTheFakeNodes() {
    KubeControlPlane k8s = K8S.plane();
    k8s.kubectl()
        .apply(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              replicas: 3
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers: [{name: web, image: %1$s}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: db, namespace: default}
            spec:
              clusterIP: None
              selector: {app: db}
              ports: [{port: 5432}]
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db, namespace: default}
            spec:
              serviceName: db
              replicas: 2
              selector: {matchLabels: {app: db}}
              template:
                metadata: {labels: {app: db}}
                spec:
                  containers: [{name: db, image: %1$s}]
            """
                .formatted(IMAGE));
    Duration timeout = Duration.ofMinutes(2);
    k8s.kubectl()
        .run(null, timeout, List.of("rollout", "status", "deployment/web", "--timeout=110s"));
    k8s.kubectl()
        .run(null, timeout, List.of("rollout", "status", "statefulset/db", "--timeout=110s"));

    JsonNode pods = k8s.kubectl().json("get", "pods", "-l", "app in (web,db)");
    assertEquals(5, pods.path("items").size(), pods.toPrettyString());
    Set<String> nodesUsed = new HashSet<>();
    for (JsonNode pod : pods.path("items")) {
      assertEquals("Running", pod.path("status").path("phase").asText(), pod.toPrettyString());
      assertTrue(pod.path("status").path("podIP").asText().startsWith("10.244."), pod.toString());
      nodesUsed.add(pod.path("spec").path("nodeName").asText());
    }
    assertTrue(Set.copyOf(k8s.nodeNames()).containsAll(nodesUsed), "pods on " + nodesUsed);
  }

  @Test
  @Order(3)
  void serverSideDryRunRejectsNegativeReplicasWithAFieldError() {
    KubeControlPlane k8s = K8S.plane();
    KubectlException refused =
        assertThrows(
            KubectlException.class,
            () ->
                k8s.kubectl()
                    .runWithInput(
                        """
                        apiVersion: apps/v1
                        kind: Deployment
                        metadata: {name: broken, namespace: default}
                        spec:
                          replicas: -3
                          selector: {matchLabels: {app: broken}}
                          template:
                            metadata: {labels: {app: broken}}
                            spec:
                              containers: [{name: c, image: %s}]
                        """
                            .formatted(IMAGE),
                        "apply",
                        "--dry-run=server",
                        "-f",
                        "-"));
    assertTrue(refused.stderr().contains("spec.replicas: Invalid value: -3"), refused.stderr());
    assertEquals(
        "", k8s.kubectl("get", "deployment", "broken", "--ignore-not-found", "-o", "name").strip());
  }

  @Test
  @Order(4)
  void aServiceAccountTokenCanDoWhatItsRoleAllowsAndNothingElse() {
    KubeControlPlane k8s = K8S.plane();
    k8s.kubectl()
        .apply(
            """
            apiVersion: v1
            kind: Namespace
            metadata: {name: rbac-test}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: reader, namespace: rbac-test}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: pod-reader, namespace: rbac-test}
            rules:
            - apiGroups: [""]
              resources: [pods]
              verbs: [get, list, watch]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: reader-reads-pods, namespace: rbac-test}
            subjects: [{kind: ServiceAccount, name: reader, namespace: rbac-test}]
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
            """);
    String token = k8s.serviceAccountToken("rbac-test", "reader");
    Kubectl reader = k8s.kubectlAs("reader", token);

    JsonNode whoami = reader.json("auth", "whoami");
    assertEquals(
        "system:serviceaccount:rbac-test:reader",
        whoami.path("status").path("userInfo").path("username").asText());
    JsonNode pods = reader.json("get", "pods", "--namespace=rbac-test");
    assertEquals("List", pods.path("kind").asText());

    KubectlException secrets =
        assertThrows(
            KubectlException.class, () -> reader.run("get", "secrets", "--namespace=rbac-test"));
    assertTrue(secrets.stderr().contains("Forbidden"), secrets.stderr());
    assertTrue(secrets.stderr().contains("cannot list resource \"secrets\""), secrets.stderr());
    KubectlException otherNamespace =
        assertThrows(
            KubectlException.class, () -> reader.run("get", "pods", "--namespace=default"));
    assertTrue(otherNamespace.stderr().contains("Forbidden"), otherNamespace.stderr());
  }

  @Test
  @Order(100)
  void closeStopsEveryProcessAndRemovesTheWorkDir() {
    KubeControlPlane k8s = K8S.plane();
    Map<String, Long> pids = k8s.pids();
    Path workDir = k8s.workDir();
    assertEquals(
        List.of("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"),
        List.copyOf(pids.keySet()));
    for (long pid : pids.values()) {
      assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid);
    }
    assertTrue(Files.isDirectory(workDir));

    k8s.close();

    for (Map.Entry<String, Long> p : pids.entrySet()) {
      assertFalse(
          ProcessHandle.of(p.getValue()).map(ProcessHandle::isAlive).orElse(false),
          p.getKey() + " (pid " + p.getValue() + ") still runs");
    }
    assertFalse(Files.exists(workDir), workDir + " still exists");
    k8s.close(); // idempotent
    System.err.printf(
        "cellar k8s: start %d ms, stop %d ms%n",
        k8s.startupTime().toMillis(), k8s.shutdownTime().toMillis());
  }
}
