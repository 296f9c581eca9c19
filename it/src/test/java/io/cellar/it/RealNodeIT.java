package io.cellar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed tutorial on real pods: runs {@code it/e2e/tutorial} (a one-node Kubernetes built here,
 * Cellar's images; {@code vineyardctl deploy vineyard-cluster} and {@code deploy csidriver
 * --sidecars builtin} with every pod Running; a claim of the cluster's class provisioned by the
 * built-in provisioner and a Python client pod through it; the example's steps as pods on files and
 * then through the claim; the claim deleted and its objects gone) and checks what it printed: every
 * phase passed, the MSE of both runs is the same number, the timing table has a value for every
 * label, and the node's teardown restored the host.
 */
class RealNodeIT {
  private static final long TIMEOUT_MINUTES = 60; // a cold run builds the Kubernetes binaries

  @Test
  void tutorialRunsOnRealPods(@TempDir Path dir) throws Exception {
    assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "RealNodeIT runs a real kubelet and containerd: it needs root, not "
            + System.getProperty("user.name"));
    Path repo = Path.of(System.getProperty("cellar.repo.root", "..")).toAbsolutePath().normalize();
    Path out = dir.resolve("stdout");
    Path err = dir.resolve("stderr");
    Process p =
        new ProcessBuilder(repo.resolve("it/e2e/tutorial").toString(), "--multiplier", "2")
            .directory(repo.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    boolean ended = p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
    if (!ended) {
      p.destroy(); // SIGTERM: the script's trap ends the node, which tears down
      p.waitFor(2, TimeUnit.MINUTES);
    }
    String stdout = Files.readString(out);
    String stderr = Files.readString(err);
    String both = stdout + "\n----- stderr -----\n" + stderr;
    assertTrue(ended, "the tutorial did not end in " + TIMEOUT_MINUTES + " minutes:\n" + both);
    assertEquals(0, p.exitValue(), both);

    Matcher mse = Pattern.compile("(?m)^mean squared error\\s+(\\S+)\\s+(\\S+)$").matcher(stdout);
    assertTrue(mse.find(), both);
    assertEquals(mse.group(1), mse.group(2), "files and cellar MSE");
    assertTrue(Double.parseDouble(mse.group(1)) > 0, mse.group(1));
    for (String label :
        List.of(
            "preprocess: read dataframe pickle time:",
            "preprocess: write training and testing data time:",
            "train: read x_train and y_train data time:",
            "test: read x_test and y_test execution time:")) {
      Matcher row =
          Pattern.compile(
                  "(?m)^" + Pattern.quote(label) + "\\s+(\\d+\\.\\d{4})\\s+(\\d+\\.\\d{4})$")
              .matcher(stdout);
      assertTrue(row.find(), "no timings for " + label + ":\n" + stdout);
    }
    assertTrue(stderr.contains("2 deploy vineyard-cluster (Running)"), stderr);
    assertTrue(stderr.contains("2 deploy csidriver (builtin sidecars)"), stderr);
    assertTrue(stderr.contains("by the built-in provisioner"), stderr);
    assertTrue(stderr.contains("2 python client pod put/get"), stderr);
    assertTrue(
        Pattern.compile("claim deleted: [1-9][0-9]* names before, 0 after").matcher(stderr).find(),
        stderr);
    assertTrue(stderr.contains("host restored"), "the node's teardown:\n" + stderr);
  }
}
