package io.cellar.testing.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The extension's promise: a failing test's report carries the tail of every component's log, and
 * the plane is closed after the class. A deliberately failing class runs through the JUnit launcher
 * and its failure is inspected.
 */
class KubeControlPlaneExtensionIT {

  @Test
  void aFailingTestCarriesTheTailOfEveryComponentLogAndThePlaneIsClosedAfterwards() {
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    TestExecutionListener listener =
        new TestExecutionListener() {
          @Override
          public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            result.getThrowable().ifPresent(failures::add);
          }
        };
    LauncherFactory.create()
        .execute(
            LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(FailingSample.class))
                .build(),
            listener);

    assertEquals(1, failures.size(), failures.toString());
    Throwable failure = failures.getFirst();
    assertEquals("deliberate", failure.getMessage());
    String attached =
        Arrays.stream(failure.getSuppressed())
            .map(Throwable::getMessage)
            .collect(Collectors.joining("\n"));
    for (String component :
        List.of("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok")) {
      assertTrue(attached.contains("===== " + component + " (pid "), component + ":\n" + attached);
    }

    assertNotNull(FailingSample.pids);
    for (Map.Entry<String, Long> p : FailingSample.pids.entrySet()) {
      assertFalse(
          ProcessHandle.of(p.getValue()).map(ProcessHandle::isAlive).orElse(false),
          p.getKey() + " still runs");
    }
    assertFalse(Files.exists(FailingSample.workDir), FailingSample.workDir + " still exists");
  }

  /** Run only through the launcher above (failsafe skips nested classes). */
  static class FailingSample {
    @RegisterExtension
    static final KubeControlPlaneExtension K8S =
        new KubeControlPlaneExtension(KubeControlPlane.builder().nodes(1));

    static volatile Map<String, Long> pids;
    static volatile Path workDir;

    @Test
    void fails() {
      pids = K8S.plane().pids();
      workDir = K8S.plane().workDir();
      fail("deliberate");
    }
  }
}
