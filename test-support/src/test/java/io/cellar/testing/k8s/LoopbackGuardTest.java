package io.cellar.testing.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoopbackGuardTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void flagsScheduledPodsWithoutHostNetworkOnly() throws Exception {
    String pods =
        """
        {"items": [
          {"metadata": {"namespace": "a", "name": "host"}, "spec": {"nodeName": "127.0.0.1", "hostNetwork": true}},
          {"metadata": {"namespace": "a", "name": "isolated"}, "spec": {"nodeName": "127.0.0.1"}},
          {"metadata": {"namespace": "b", "name": "pending"}, "spec": {}}
        ]}
        """;
    assertEquals(
        List.of("pod a/isolated was scheduled without hostNetwork"),
        LoopbackGuard.podsWithoutHostNetwork(JSON.readTree(pods)));
  }

  @Test
  void hostStateNamesEveryDifference() {
    Map<Path, Set<String>> paths = new LinkedHashMap<>();
    paths.put(Path.of("/var/lib/kubelet"), null);
    HostState before =
        new HostState(
            Map.of("vm/overcommit_memory", "0"), paths, Set.of("/"), Set.of(), Set.of("link lo"));
    Map<Path, Set<String>> after = new LinkedHashMap<>();
    after.put(Path.of("/var/lib/kubelet"), Set.of("device-plugins"));
    HostState now =
        new HostState(
            Map.of("vm/overcommit_memory", "1"),
            after,
            Set.of("/", "/tmp/x"),
            Set.of(Path.of("/sys/fs/cgroup/cpu/kubepods")),
            Set.of("link lo", "link cni0"));
    assertEquals(
        List.of(
            "sysctl vm/overcommit_memory was 0, is 1",
            "/var/lib/kubelet did not exist, has [device-plugins]",
            "new mount point: /tmp/x",
            "new cgroup: /sys/fs/cgroup/cpu/kubepods",
            "new network: link cni0"),
        now.differencesFrom(before));
    assertEquals(List.of(), before.differencesFrom(before));
  }
}
