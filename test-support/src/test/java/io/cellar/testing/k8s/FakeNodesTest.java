package io.cellar.testing.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class FakeNodesTest {
  @Test
  void namesAndManifestCarryTheKwokAnnotationAndHostnameLabel() {
    List<String> names = FakeNodes.names(2);
    assertEquals(List.of("kwok-node-0", "kwok-node-1"), names);
    String yaml = FakeNodes.manifest(names, "8", "16Gi", 50);
    assertTrue(yaml.contains("kwok.x-k8s.io/node: fake"), yaml);
    assertTrue(yaml.contains("kubernetes.io/hostname: kwok-node-1"), yaml);
    assertTrue(yaml.contains("pods: \"50\""), yaml);
  }

  @Test
  void notReadyListsNodesMissingOrWithoutAReadyCondition() throws Exception {
    String json =
        """
        {"items": [
          {"metadata": {"name": "kwok-node-0"},
           "status": {"conditions": [{"type": "Ready", "status": "True"}]}},
          {"metadata": {"name": "kwok-node-1"},
           "status": {"conditions": [{"type": "Ready", "status": "False"}]}}
        ]}
        """;
    assertEquals(
        List.of("kwok-node-1", "kwok-node-2"),
        FakeNodes.notReady(new ObjectMapper().readTree(json), FakeNodes.names(3)));
  }
}
