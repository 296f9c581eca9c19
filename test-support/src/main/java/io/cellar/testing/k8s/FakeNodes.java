package io.cellar.testing.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The fake nodes kwok plays: {@code Node} objects annotated {@code kwok.x-k8s.io/node=fake} (the
 * annotation kwok is told to manage), labelled with their hostname, untainted, and with room for
 * many pods. kwok's node stages turn them Ready and keep their leases fresh.
 *
 * <p>Stateless; safe from any thread.
 */
final class FakeNodes {
  /** The annotation (and value) kwok manages nodes by. */
  static final String ANNOTATION = "kwok.x-k8s.io/node";

  static final String ANNOTATION_VALUE = "fake";

  private FakeNodes() {}

  /**
   * The names of {@code count} nodes: {@code kwok-node-0}, {@code kwok-node-1}, ...
   *
   * @param count how many
   * @return the names
   */
  static List<String> names(int count) {
    return IntStream.range(0, count).mapToObj(i -> "kwok-node-" + i).toList();
  }

  /**
   * A multi-document manifest creating the nodes.
   *
   * @param names the node names
   * @param cpu allocatable cpu per node ("16")
   * @param memory allocatable memory per node ("64Gi")
   * @param pods allocatable pods per node
   * @return YAML for {@code kubectl apply -f -}
   */
  static String manifest(List<String> names, String cpu, String memory, int pods) {
    StringBuilder yaml = new StringBuilder();
    for (String name : names) {
      yaml.append(
          """
          ---
          apiVersion: v1
          kind: Node
          metadata:
            name: %1$s
            annotations:
              %2$s: %3$s
              node.alpha.kubernetes.io/ttl: "0"
            labels:
              kubernetes.io/hostname: %1$s
              kubernetes.io/os: linux
              kubernetes.io/arch: amd64
              type: kwok
          status:
            allocatable:
              cpu: "%4$s"
              memory: %5$s
              pods: "%6$d"
            capacity:
              cpu: "%4$s"
              memory: %5$s
              pods: "%6$d"
          """
              .formatted(name, ANNOTATION, ANNOTATION_VALUE, cpu, memory, pods));
    }
    return yaml.toString();
  }

  /**
   * The nodes of {@code names} that are not yet Ready in a {@code kubectl get nodes -o json}
   * answer.
   *
   * @param nodeList the parsed list
   * @param names the nodes expected
   * @return the names still missing or not Ready; empty once all are Ready
   */
  static List<String> notReady(JsonNode nodeList, List<String> names) {
    List<String> waiting = new ArrayList<>(names);
    for (JsonNode node : nodeList.path("items")) {
      for (JsonNode condition : node.path("status").path("conditions")) {
        if (condition.path("type").asText().equals("Ready")
            && condition.path("status").asText().equals("True")) {
          waiting.remove(node.path("metadata").path("name").asText());
        }
      }
    }
    return waiting;
  }
}
