package io.cellar.testing.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Keeps a {@link KubeNode}'s traffic on loopback. Two layers: {@link #ADMISSION_POLICY}, a
 * ValidatingAdmissionPolicy that refuses any pod without {@code hostNetwork: true} (the node's CNI
 * is loopback-only: such a pod could not run anyway, and must not get an address), and a watcher
 * thread that every second lists the pods and the host's interfaces, addresses and routes and
 * records a violation for a scheduled pod without hostNetwork or any network change. {@link
 * KubeNode#close()} fails when there is one.
 *
 * <p>Thread safety: {@link #violations()} is safe from any thread; {@link #stop()} once.
 */
final class LoopbackGuard {
  /** Refuses pods without hostNetwork, at admission. */
  static final String ADMISSION_POLICY =
      """
      apiVersion: admissionregistration.k8s.io/v1
      kind: ValidatingAdmissionPolicy
      metadata:
        name: cellar-host-network-only
      spec:
        failurePolicy: Fail
        matchConstraints:
          resourceRules:
          - apiGroups: [""]
            apiVersions: ["v1"]
            operations: ["CREATE", "UPDATE"]
            resources: ["pods"]
        validations:
        - expression: "has(object.spec.hostNetwork) && object.spec.hostNetwork"
          message: "this node is loopback-only: every pod needs hostNetwork: true"
      ---
      apiVersion: admissionregistration.k8s.io/v1
      kind: ValidatingAdmissionPolicyBinding
      metadata:
        name: cellar-host-network-only
      spec:
        policyName: cellar-host-network-only
        validationActions: [Deny]
      """;

  private static final Duration PERIOD = Duration.ofSeconds(1);

  private final Kubectl kubectl;
  private final Set<String> network;
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  private LoopbackGuard(Kubectl kubectl, Set<String> network) {
    this.kubectl = kubectl;
    this.network = network;
    this.thread =
        Thread.ofPlatform().daemon().name("kube-node-loopback-guard").unstarted(this::loop);
  }

  /**
   * Starts watching.
   *
   * @param kubectl the admin's kubectl
   * @param network the host's network before the node started ({@link HostState.readNetwork()})
   * @return the running guard
   */
  static LoopbackGuard start(Kubectl kubectl, Set<String> network) {
    LoopbackGuard guard = new LoopbackGuard(kubectl, network);
    guard.thread.start();
    return guard;
  }

  /** What was seen so far (each violation once). */
  List<String> violations() {
    return List.copyOf(violations);
  }

  /** Checks once more, then stops the thread and waits for it. */
  void stop() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(Duration.ofSeconds(30));
    try {
      check();
    } catch (RuntimeException e) {
      record("the last check failed: " + e.getMessage());
    }
  }

  private void loop() {
    while (running) {
      try {
        check();
        Thread.sleep(PERIOD); // a watch period, not synchronisation: the check itself is the point
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (running) {
          record("a check failed: " + e.getMessage());
        }
      }
    }
  }

  private void check() {
    for (String v : podsWithoutHostNetwork(kubectl.json("get", "pods", "--all-namespaces"))) {
      record(v);
    }
    try {
      for (String line : HostState.readNetwork()) {
        if (!network.contains(line)) {
          record("the host's network changed: new " + line);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The scheduled pods of a {@code kubectl get pods -o json} list that do not use hostNetwork.
   *
   * @param pods the list
   * @return one line per such pod
   */
  static List<String> podsWithoutHostNetwork(JsonNode pods) {
    List<String> out = new ArrayList<>();
    for (JsonNode pod : pods.path("items")) {
      JsonNode spec = pod.path("spec");
      if (!spec.path("nodeName").asText("").isEmpty() && !spec.path("hostNetwork").asBoolean()) {
        out.add(
            "pod "
                + pod.path("metadata").path("namespace").asText()
                + "/"
                + pod.path("metadata").path("name").asText()
                + " was scheduled without hostNetwork");
      }
    }
    return out;
  }

  private void record(String violation) {
    if (!violations.contains(violation)) {
      violations.add(violation);
      System.err.println("cellar k8s: LOOPBACK VIOLATION: " + violation);
    }
  }
}
