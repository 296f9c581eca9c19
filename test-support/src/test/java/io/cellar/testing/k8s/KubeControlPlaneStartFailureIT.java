package io.cellar.testing.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A component that dies during the start fails it at once (not at the deadline), with that
 * component's log in the message, and leaves no work directory behind. The real tools are used,
 * except an etcd that exits at once.
 */
class KubeControlPlaneStartFailureIT {
  @TempDir Path dir;

  @Test
  void aComponentThatDiesFailsTheStartAtOnceWithItsLog() throws Exception {
    Path tools = dir.resolve("tools");
    try {
      startWithAFailingEtcd(tools);
    } finally {
      // the links point outside the temp dir; remove them (never their targets) ourselves
      try (Stream<Path> files = Files.walk(tools)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private void startWithAFailingEtcd(Path tools) throws Exception {
    KubeTools real = KubeTools.locate();
    Files.createDirectories(tools.resolve("bin"));
    for (String name :
        List.of(
            "kube-apiserver",
            "kube-controller-manager",
            "kube-scheduler",
            "kubectl",
            "kubelet",
            "etcdctl",
            "kwok")) {
      Files.createSymbolicLink(tools.resolve("bin").resolve(name), real.binary(name));
    }
    Path etcd = tools.resolve("bin/etcd");
    Files.writeString(etcd, "#!/bin/sh\necho 'etcd: simulated failure to start' >&2\nexit 2\n");
    Files.setPosixFilePermissions(etcd, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createSymbolicLink(tools.resolve("stages"), real.dir().resolve("stages"));
    Files.writeString(tools.resolve(".complete"), "test\n");
    Path work = Files.createDirectories(dir.resolve("work"));

    long begin = System.nanoTime();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                KubeControlPlane.builder()
                    .tools(KubeTools.at(tools))
                    .workParent(work)
                    .startTimeout(Duration.ofMinutes(2))
                    .start());
    Duration took = Duration.ofNanos(System.nanoTime() - begin);

    assertTrue(e.getMessage().contains("etcd exited with code 2"), e.getMessage());
    assertTrue(e.getMessage().contains("simulated failure to start"), e.getMessage());
    assertTrue(took.compareTo(Duration.ofSeconds(30)) < 0, "took " + took);
    try (Stream<Path> left = Files.list(work)) {
      assertEquals(List.of(), left.toList());
    }
  }
}
