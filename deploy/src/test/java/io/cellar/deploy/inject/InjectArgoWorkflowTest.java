package io.cellar.deploy.inject;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.cellar.deploy.Vineyardctl;
import io.cellar.testing.python.PythonVenv;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vineyardctl inject argo-workflow} through the command line as a user runs it: the
 * example's plain workflow injected is the hand-written vineyard workflow (but for the steps' own
 * {@code --with_vineyard} switch and the name prefix), the reference's documented examples come out
 * as documented, and every bad input is one message naming it, exit status 1, the input untouched.
 */
class InjectArgoWorkflowTest {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Path EXAMPLE = PythonVenv.repoRoot().resolve("deploy/examples/kubeflow");

  @TempDir Path tmp;

  private record Run(int status, String out, String err) {}

  private static Run vineyardctl(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Vineyardctl.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(status, out.toString(), err.toString());
  }

  private static Run inject(Path file, String... more) {
    List<String> args = new ArrayList<>(List.of("inject", "argo-workflow", "-f", file.toString()));
    args.addAll(List.of(more));
    return vineyardctl(args.toArray(String[]::new));
  }

  private Run injectExample(Path file) {
    return inject(
        file,
        "--templates=preprocess,train,test",
        "--vineyard-cluster=vineyard-system/vineyardd-sample",
        "--mount-path=/vineyard/data",
        "--dag=machine-learning-pipeline",
        "--tasks=preprocess,train,test");
  }

  @Test
  void theExamplesPlainWorkflowInjectedIsTheHandWrittenVineyardOne() throws Exception {
    Run run = injectExample(EXAMPLE.resolve("pipeline.yaml"));
    assertEquals(0, run.status(), run.err());
    JsonNode injected = YAML.readTree(run.out());

    ObjectNode handWritten =
        (ObjectNode) YAML.readTree(EXAMPLE.resolve("pipeline-with-vineyard.yaml").toFile());
    // What no injection can know: the run's name prefix and the steps' own switch.
    ((ObjectNode) handWritten.get("metadata"))
        .put("generateName", injected.at("/metadata/generateName").asText());
    int switches = 0;
    for (JsonNode template : handWritten.at("/spec/templates")) {
      ObjectNode container = (ObjectNode) template.get("container");
      if (container != null && container.get("args") instanceof ArrayNode args) {
        for (int i = args.size() - 1; i >= 0; i--) {
          if (args.get(i).asText().equals("--with_vineyard")) {
            args.remove(i);
            switches++;
          }
        }
        if (args.isEmpty()) {
          container.remove("args");
        }
      }
    }
    assertEquals(3, switches, "each step of the hand-written workflow has --with_vineyard");
    assertEquals(handWritten, injected);
  }

  @Test
  void aTemplateRunByAnUnchosenTaskStillGetsItsParameter() throws Exception {
    // The reference's second documented example: one template MLops run by two tasks, only the
    // consumer named; the producer must pass the new input too, or Argo refuses the workflow.
    Path file =
        Files.writeString(
            tmp.resolve("workflow.yaml"),
            """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              generateName: mlops-
            spec:
              entrypoint: dag
              templates:
              - name: MLops
                inputs:
                  parameters:
                  - name: functions
                container:
                  image: mlops-benchmark:latest
                  command: [python]
                  args: ["-m", "{{inputs.parameters.functions}}"]
              - name: dag
                dag:
                  tasks:
                  - name: producer
                    template: MLops
                    arguments:
                      parameters:
                      - {name: functions, value: producer.py}
                  - name: consumer
                    template: MLops
                    depends: producer
                    arguments:
                      parameters:
                      - {name: functions, value: consumer.py}
            """);

    Run run =
        inject(
            file,
            "--templates=MLops",
            "--vineyard-cluster=vineyard-system/vineyardd-sample",
            "--mount-path=/vineyard/data",
            "--dag=dag",
            "--tasks=consumer");

    assertEquals(0, run.status(), run.err());
    JsonNode spec = YAML.readTree(run.out()).path("spec");
    JsonNode mlops = spec.at("/templates/0");
    assertEquals(
        "[\"functions\",\"vineyard-objects-name\"]", names(mlops.at("/inputs/parameters")));
    assertEquals("/vineyard/data", mlops.at("/container/volumeMounts/0/mountPath").asText());
    assertEquals(
        "{{inputs.parameters.vineyard-objects-name}}",
        mlops.at("/volumes/0/persistentVolumeClaim/claimName").asText());
    JsonNode tasks = spec.at("/templates/1/dag/tasks");
    assertEquals("[\"producer\",\"consumer\",\"vineyard-objects\"]", names(tasks));
    assertEquals("[\"vineyard-objects\"]", tasks.at("/0/dependencies").toString());
    assertEquals("(producer) && vineyard-objects", tasks.at("/1/depends").asText());
    assertFalse(tasks.get(1).has("dependencies"), "Argo refuses depends and dependencies together");
    for (int i = 0; i < 2; i++) {
      assertEquals(
          "{{tasks.vineyard-objects.outputs.parameters.vineyard-objects-name}}",
          tasks.at("/" + i + "/arguments/parameters/1/value").asText());
    }
    JsonNode resource = spec.at("/templates/2");
    assertEquals("vineyard-objects", resource.path("name").asText());
    assertTrue(resource.at("/resource/setOwnerReference").asBoolean());
    JsonNode pvc = YAML.readTree(resource.at("/resource/manifest").asText());
    assertEquals("{{workflow.name}}-vineyard-objects-pvc", pvc.at("/metadata/name").asText());
    assertEquals("vineyard-system.vineyardd-sample.csi", pvc.at("/spec/storageClassName").asText());
    assertEquals("[\"ReadWriteMany\"]", pvc.at("/spec/accessModes").toString());
    assertEquals("1Mi", pvc.at("/spec/resources/requests/storage").asText());
  }

  @Test
  void outputAsFileWritesBesideTheInputAndLeavesTheInputAlone() throws Exception {
    Path file = Files.copy(EXAMPLE.resolve("pipeline.yaml"), tmp.resolve("pipeline.yaml"));
    byte[] before = Files.readAllBytes(file);

    Run run =
        inject(
            file,
            "-t",
            "preprocess,train,test",
            "--vineyard-cluster",
            "vineyard-system/vineyardd-sample",
            "--mount-path",
            "/vineyard/data",
            "--dag",
            "machine-learning-pipeline",
            "--tasks",
            "preprocess,train,test",
            "--output-as-file");

    assertEquals(0, run.status(), run.err());
    Path written = tmp.resolve("pipeline_with_vineyard.yaml");
    assertEquals(YAML.readTree(injectExample(file).out()), YAML.readTree(written.toFile()));
    assertArrayEquals(before, Files.readAllBytes(file));
  }

  @Test
  void badInputIsOneMessageNamingItAndTheFileIsUntouched() throws Exception {
    Path workflow = Files.copy(EXAMPLE.resolve("pipeline.yaml"), tmp.resolve("pipeline.yaml"));
    Path deployment =
        Files.writeString(
            tmp.resolve("deployment.yaml"),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {}\n");
    Path garbage = Files.writeString(tmp.resolve("garbage.yaml"), "spec: [unclosed\n");
    String cluster = "--vineyard-cluster=vineyard-system/vineyardd-sample";
    String mount = "--mount-path=/vineyard/data";
    String dag = "--dag=machine-learning-pipeline";
    String templates = "--templates=preprocess";
    Object[][] cases = { // file, what the message must name, the flags
      {deployment, "not an Argo Workflow", List.of(templates, cluster, mount, dag)},
      {garbage, "not valid YAML", List.of(templates, cluster, mount, dag)},
      {
        tmp.resolve("absent.yaml"),
        "is not a readable file",
        List.of(templates, cluster, mount, dag)
      },
      {
        workflow,
        "--templates: no template named 'prep'",
        List.of("--templates=prep", cluster, mount, dag)
      },
      {
        workflow,
        "--tasks: no task named 'fit'",
        List.of(templates, cluster, mount, dag, "--tasks=fit")
      },
      {
        workflow,
        "--dag: no template named 'main'",
        List.of(templates, cluster, mount, "--dag=main")
      },
      {
        workflow,
        "--dag: template 'train' is not a DAG",
        List.of(templates, cluster, mount, "--dag=train")
      },
      {
        workflow,
        "--templates: template 'machine-learning-pipeline' has no container",
        List.of("--templates=machine-learning-pipeline", cluster, mount, dag)
      },
      {
        workflow,
        "--vineyard-cluster: 'a' is not of the form namespace/name",
        List.of(templates, "--vineyard-cluster=a", mount, dag)
      },
      {
        workflow,
        "--mount-path: 'data' is not an absolute path",
        List.of(templates, cluster, "--mount-path=data", dag)
      },
    };
    byte[] before = Files.readAllBytes(workflow);
    for (Object[] c : cases) {
      @SuppressWarnings("unchecked")
      List<String> flags = (List<String>) c[2];
      Run run = inject((Path) c[0], flags.toArray(String[]::new));
      assertEquals(1, run.status(), c[1] + ": " + run.err());
      assertTrue(run.err().contains((String) c[1]), "expected '" + c[1] + "' in: " + run.err());
      assertFalse(run.err().contains("\tat "), "a stack trace: " + run.err());
      assertEquals("", run.out());
    }
    assertArrayEquals(before, Files.readAllBytes(workflow));
    try (var files = Files.list(tmp)) {
      assertEquals(3, files.count(), "nothing written beside the inputs");
    }
  }

  @Test
  void aWorkflowInjectedTwiceIsRefused() throws Exception {
    Path injected =
        Files.writeString(
            tmp.resolve("once.yaml"), injectExample(EXAMPLE.resolve("pipeline.yaml")).out());

    Run again = injectExample(injected);

    assertEquals(1, again.status());
    assertTrue(
        again.err().contains("already has a template named 'vineyard-objects'"), again.err());
  }

  @Test
  void aMissingRequiredFlagIsAUsageErrorNamingIt() {
    Run run =
        vineyardctl(
            "inject",
            "argo-workflow",
            "-f",
            "x.yaml",
            "--templates=a",
            "--dag=d",
            "--mount-path=/m");

    assertEquals(2, run.status());
    assertTrue(run.err().contains("--vineyard-cluster"), run.err());
  }

  private static String names(JsonNode list) {
    List<String> names = new ArrayList<>();
    list.forEach(n -> names.add("\"" + n.path("name").asText() + "\""));
    return "[" + String.join(",", names) + "]";
  }
}
