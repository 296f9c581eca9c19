package io.cellar.testing.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A real one-node Kubernetes: a pod runs from an image built here (no registry), a pod without
 * hostNetwork is refused, and after close the host is as it was (checked here too, apart from the
 * node's own check).
 */
class KubeNodeIT {

  @Test
  void runsHostNetworkPodsRefusesOthersAndRestoresTheHost() throws Exception {
    assumeTrue(
        KubeNode.canRun(),
        "KubeNodeIT needs root (mounts, cgroups, containerd); running as "
            + System.getProperty("user.name"));
    NodeImages images = NodeImages.build();
    List<Path> prefixes = new java.util.ArrayList<>(HostState.WATCHED);
    prefixes.add(Path.of("/sys/fs/cgroup"));
    HostState before = HostState.read(prefixes);
    Path workDir;
    try (KubeNode node = KubeNode.start(images)) {
      workDir = node.workDir();
      assertTrue(Files.isDirectory(node.kubeletRoot()));
      String pod =
          """
          apiVersion: v1
          kind: Pod
          metadata:
            name: hello
          spec:
            hostNetwork: true
            restartPolicy: Never
            containers:
            - name: hello
              image: %s
              imagePullPolicy: Never
              command: [python3, -c, "import vineyard, numpy, pandas, os; print('hello', vineyard.__version__, os.getuid(), os.getcwd())"]
          """
              .formatted(images.tag("STEPS"));
      node.kubectl().apply(pod);
      String phase = node.awaitPodEnd("default", "hello", Duration.ofMinutes(2));
      String logs = node.kubectl().run("logs", "pod/hello");
      assertEquals("Succeeded", phase, logs);
      assertEquals("hello 0.24.2 0 /steps", logs.strip());

      String isolated =
          pod.replace("hostNetwork: true", "hostNetwork: false").replace("hello", "isolated");
      KubectlException refused =
          assertThrows(KubectlException.class, () -> node.kubectl().apply(isolated));
      assertTrue(refused.getMessage().contains("loopback-only"), refused.getMessage());
      assertEquals(List.of(), node.violations());
    }
    assertFalse(Files.exists(workDir), workDir + " is left");
    HostState after = HostState.read(prefixes);
    assertEquals(List.of(), after.differencesFrom(before));
  }
}
