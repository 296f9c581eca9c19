package io.cellar.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.client.IpcClient;
import io.cellar.testing.daemon.DaemonKind;
import io.cellar.testing.daemon.VineyarddProcess;
import io.cellar.testing.etcd.EtcdCluster;
import io.cellar.testing.etcd.PosixSignals;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The upstream project's own multi-instance tests, as the wheel ships them in the installed {@code
 * vineyard} package ({@code deploy/tests/test_distributed.py}: persists seen on the other instance,
 * global objects with remote members, remote deletion, concurrent metadata and persists from
 * threads and processes, puts and gets of every builtin type through every instance and RPC; {@code
 * deploy/tests/test_migration.py} with {@code --with-migration}: migrate, {@code get(fetch=True)},
 * a 800 MB migration, concurrent fetches), run unchanged under pytest against two Cellar {@code
 * bin/vineyardd} on one etcd, with the options upstream's CI passes ({@code
 * --vineyard-ipc-sockets}, {@code --vineyard-endpoint}); and {@code
 * deploy/tests/test_vineyardd_failure.py}'s two halves around the failure of the instance, as
 * upstream's {@code test/runner.py} runs them (three instances, the first terminated or killed, the
 * names and metadata read through the second), and around a restart.
 *
 * <p>None is deselected. Each instance gets {@code --size=1G}: {@code test_migration_large_object}
 * puts 800 MiB on one and migrates it to the other (upstream's CI runs bigger instances).
 */
@Timeout(900)
class UpstreamDeployTestsIT {
  @RegisterExtension static final EtcdCluster ETCD = EtcdCluster.single();

  @Test
  void theUpstreamMultiInstanceTestsPassOnTwoCellarInstancesOnOneEtcd() throws Exception {
    try (VineyarddFleet fleet = VineyarddFleet.start(ETCD, "/cellar-upstream-deploy")) {
      fleet.add(fleet.builder(DaemonKind.CELLAR).size("1G"));
      fleet.add(fleet.builder(DaemonKind.CELLAR).size("1G"));
      PythonEnvironment python = PythonEnvironment.get();
      Path pkg = python.packageDirectory();
      List<String> options = new ArrayList<>();
      options.add(pkg.resolve("deploy/tests/test_migration.py").toString());
      options.add("--with-migration");
      options.add("--vineyard-ipc-sockets=" + fleet.socket(0) + "," + fleet.socket(1));
      options.add("--vineyard-endpoint=127.0.0.1:" + fleet.get(0).rpcPort());
      options.add("-rA");
      String out;
      try {
        out =
            python.runPytest(
                pkg,
                pkg.resolve("deploy/tests/test_distributed.py"),
                options.toArray(String[]::new));
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\n" + fleet.logs(), e);
      }
      // 21 items in test_distributed.py (one parametrized over 10 values), 5 in test_migration.py
      assertTrue(out.contains("26 passed"), out);
      assertFalse(
          out.contains("skipped"), "nothing skipped (migration tests need the flag):\n" + out);
    }
  }

  /**
   * Upstream's {@code test_vineyardd_failure.py} as {@code run_vineyardd_failure_tests} in its
   * {@code test/runner.py} runs it: three instances on one etcd, ten persisted, named objects put
   * through the first one's RPC endpoint, the first terminated (SIGTERM), and the names and
   * metadata resolved through the second one's RPC endpoint at once; and the same with the first
   * killed (SIGKILL), a real failure. The stopped or killed instance leaves the cluster when its
   * lease expires, and its objects then leave the others' trees (the reference drops them too, once
   * it declares the instance dead).
   */
  @ParameterizedTest(name = "the first instance ended by {0}")
  @ValueSource(strings = {"SIGTERM", "SIGKILL"})
  void namesAndMetadataAreServedByTheOthersRightAfterAnInstanceFailsAsUpstreamsRunnerExpects(
      String signal) throws Exception {
    try (VineyarddFleet fleet = VineyarddFleet.start(ETCD, "/cellar-upstream-runner-" + signal)) {
      VineyarddProcess first = fleet.add(DaemonKind.CELLAR);
      VineyarddProcess second = fleet.add(DaemonKind.CELLAR);
      fleet.add(DaemonKind.CELLAR);
      failureTestPasses(fleet, "test_put_meta_before_failure", first);
      String firstId;
      try (IpcClient onFirst = IpcClient.connect(first.socket())) {
        firstId = "i" + onFirst.instanceStatus().instanceId();
      }
      try (IpcClient onSecond = IpcClient.connect(second.socket())) {
        long named = onSecond.getName("data-0", true);
        assertTrue(onSecond.clusterMeta().has(firstId), "the second lists " + firstId);
        if (signal.equals("SIGKILL")) {
          PosixSignals.kill(first.pid());
          assertTrue(first.process().waitFor(10, TimeUnit.SECONDS), "the first died");
        } else {
          first.stop(); // SIGTERM, as upstream's runner terminates it
        }
        failureTestPasses(fleet, "test_get_meta_after_failure", second);
        // then the lease expires: the first instance is gone, and what lived on it with it
        Deadline.await(
            "the second instance drops the first",
            Duration.ofSeconds(25),
            () -> !onSecond.clusterMeta().has(firstId));
        Deadline.await(
            "the first instance's objects leave the second's tree",
            Duration.ofSeconds(5),
            () -> !onSecond.exists(named));
      }
    }
  }

  /**
   * The same two halves around a restart: ten persisted, named objects through one instance's RPC
   * endpoint, that instance stopped, a new one started on the same etcd and prefix, and the names
   * and metadata resolved through the new one's RPC endpoint (the new instance reads them from
   * etcd, as a new reference instance does).
   */
  @Test
  void namesAndMetadataOutliveTheirInstanceAsUpstreamsFailureTestExpects() throws Exception {
    try (VineyarddFleet fleet = VineyarddFleet.start(ETCD, "/cellar-upstream-failure")) {
      VineyarddProcess first = fleet.add(DaemonKind.CELLAR);
      failureTestPasses(fleet, "test_put_meta_before_failure", first);
      first.stop(); // SIGTERM, as upstream's runner stops it
      VineyarddProcess second = fleet.add(DaemonKind.CELLAR);
      failureTestPasses(fleet, "test_get_meta_after_failure", second);
    }
  }

  /**
   * Runs one function of upstream's {@code deploy/tests/test_vineyardd_failure.py} under pytest
   * against an instance's RPC endpoint, as upstream's runner does, and asserts it passed.
   */
  private static void failureTestPasses(VineyarddFleet fleet, String function, VineyarddProcess via)
      throws Exception {
    PythonEnvironment python = PythonEnvironment.get();
    Path pkg = python.packageDirectory();
    Path tests = pkg.resolve("deploy/tests/test_vineyardd_failure.py");
    String out;
    try {
      out =
          python.runPytest(
              pkg,
              Path.of(tests + "::" + function),
              "--vineyard-endpoint=127.0.0.1:" + via.rpcPort());
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n" + fleet.logs(), e);
    }
    assertTrue(out.contains("1 passed"), out);
  }
}
