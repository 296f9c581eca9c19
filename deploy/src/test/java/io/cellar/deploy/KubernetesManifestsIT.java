package io.cellar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.testing.python.PythonScriptException;
import io.cellar.testing.python.PythonVenv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example's plain Kubernetes manifests ({@code rbac.yaml}, {@code prepare-data.yaml}) validate
 * against Kubernetes' own JSON schemas, strictly (unknown properties rejected), with the pinned
 * {@code kubernetes-validate} and its schemas of Kubernetes {@value #KUBERNETES}; broken copies do
 * not.
 */
class KubernetesManifestsIT {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final String KUBERNETES = "1.30.0";

  private static PythonVenv k8s;

  @TempDir Path tmp;

  @BeforeAll
  static void venv() throws Exception {
    k8s = KubeflowExample.venv("k8s");
  }

  @Test
  void rbacAndPrepareDataValidate() throws Exception {
    Path example = KubeflowExample.directory();
    String output = validate(example.resolve("rbac.yaml"), example.resolve("prepare-data.yaml"));

    for (String resource :
        List.of(
            "serviceaccount/pipeline-runner",
            "clusterrole/pipeline-runner-role",
            "clusterrolebinding/pipeline-runner-rolebinding",
            "job/prepare-data",
            "persistentvolumeclaim/benchmark-data",
            "persistentvolume/benchmark-data")) {
      assertTrue(output.contains("passed for resource " + resource), resource + ":\n" + output);
    }
  }

  @Test
  void brokenCopiesDoNot() throws Exception {
    String job = Files.readString(KubeflowExample.directory().resolve("prepare-data.yaml"));
    String[][] cases = {
      {job.replace("restartPolicy: Never", "restartPolicyy: Never"), "restartPolicyy"},
      {job.replace("backoffLimit: 0", "backoffLimit: \"0\""), "backoffLimit"},
    };
    for (String[] broken : cases) {
      assertFalse(broken[0].equals(job), "nothing broken for " + broken[1]);
      Path file = Files.writeString(tmp.resolve("broken.yaml"), broken[0]);
      PythonScriptException rejected =
          assertThrows(PythonScriptException.class, () -> validate(file), broken[1]);
      assertEquals(1, rejected.exitCode().orElseThrow(), rejected.output());
      assertTrue(rejected.output().contains("did not validate"), rejected.output());
      assertTrue(rejected.output().contains(broken[1]), rejected.output());
    }
  }

  private static String validate(Path... files) throws Exception {
    List<String> args =
        new ArrayList<>(List.of("-m", "kubernetes_validate", "--strict", "-k", KUBERNETES));
    for (Path file : files) {
      args.add(file.toString());
    }
    return k8s.run(TIMEOUT, Map.of(), args);
  }
}
