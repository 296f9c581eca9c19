package io.cellar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * The example's Argo Workflows (the two hand-written ones and the two KFP v1 compiles to) parse
 * into Argo's own models, strictly: {@code src/test/python/validate_argo_workflow.py} runs
 * hera-workflows' generated models (pinned, in a venv of their own) with unknown fields forbidden,
 * JSON names only and strict types, and checks the PVC manifest of a resource template the same
 * way. The second test shows that the check is that strict, on broken copies.
 */
class ArgoWorkflowSchemaIT {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final List<String> WORKFLOWS =
      List.of(
          "pipeline.yaml",
          "pipeline-with-vineyard.yaml",
          "kfp-v1/pipeline.yaml",
          "kfp-v1/pipeline-with-vineyard.yaml");

  private static PythonVenv argo;
  private static Path validator;

  @TempDir Path tmp;

  @BeforeAll
  static void venv() throws Exception {
    argo = KubeflowExample.venv("argo");
    validator = PythonVenv.repoRoot().resolve("deploy/src/test/python/validate_argo_workflow.py");
  }

  @Test
  void theExampleWorkflowsParseStrictlyIntoArgosModels() throws Exception {
    List<String> args = new ArrayList<>(List.of(validator.toString()));
    for (String workflow : WORKFLOWS) {
      args.add(KubeflowExample.directory().resolve(workflow).toString());
    }

    String output = argo.run(TIMEOUT, Map.of(), args);

    List<String> lines = output.strip().lines().toList();
    assertEquals(WORKFLOWS.size(), lines.size(), output);
    for (int i = 0; i < WORKFLOWS.size(); i++) {
      assertTrue(
          lines.get(i).startsWith("ok " + KubeflowExample.directory().resolve(WORKFLOWS.get(i))),
          output);
    }
  }

  @Test
  void theInjectedWorkflowParsesStrictlyIntoArgosModels() throws Exception {
    Path injected =
        Files.copy(
            KubeflowExample.directory().resolve("pipeline.yaml"), tmp.resolve("pipeline.yaml"));
    java.io.StringWriter out = new java.io.StringWriter();
    int status =
        io.cellar.deploy.Vineyardctl.run(
            new java.io.PrintWriter(out, true),
            new java.io.PrintWriter(out, true),
            "inject",
            "argo-workflow",
            "-f",
            injected.toString(),
            "--templates=preprocess,train,test",
            "--vineyard-cluster=vineyard-system/vineyardd-sample",
            "--mount-path=/vineyard/data",
            "--dag=machine-learning-pipeline",
            "--tasks=preprocess,train,test",
            "--output-as-file");
    assertEquals(0, status, out.toString());
    Path file = tmp.resolve("pipeline_with_vineyard.yaml");

    String output = argo.run(TIMEOUT, validator.toString(), file.toString());

    assertTrue(output.strip().startsWith("ok " + file), output);
  }

  @Test
  void theCheckRejectsUnknownFieldsPythonNamesAndWrongTypes() throws Exception {
    String good =
        Files.readString(KubeflowExample.directory().resolve("pipeline-with-vineyard.yaml"));
    // {broken copy, what pydantic must name in its message}
    String[][] cases = {
      {once(good, "imagePullPolicy: Always", "imagePullPolicyy: Always"), "imagePullPolicyy"},
      {once(good, "serviceAccountName:", "service_account_name:"), "service_account_name"},
      {once(good, "privileged: true", "privileged: \"true\""), "privileged"},
      {
        once(good, "dependencies: [train, vineyard-objects]", "dependencies: train"), "dependencies"
      },
      {once(good, "storageClassName: vineyard", "storageClass: vineyard"), "storageClass"},
    };
    for (String[] broken : cases) {
      Path file = Files.writeString(tmp.resolve("broken.yaml"), broken[0]);
      PythonScriptException rejected =
          assertThrows(
              PythonScriptException.class,
              () -> argo.run(TIMEOUT, validator.toString(), file.toString()),
              "accepted a workflow with a broken " + broken[1]);
      assertEquals(1, rejected.exitCode().orElseThrow(), rejected.output());
      assertTrue(rejected.output().contains("validation error"), rejected.output());
      assertTrue(rejected.output().contains(broken[1]), rejected.output());
    }
  }

  /** {@code text} with the first {@code from} replaced; fails when there is none. */
  private static String once(String text, String from, String to) {
    int at = text.indexOf(from);
    assertTrue(at >= 0, "no '" + from + "' to break");
    return text.substring(0, at) + to + text.substring(at + from.length());
  }
}
