package io.cellar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the example's pipelines say, read from the checked-in YAML: the vineyard volume (a PVC of
 * the storage class {@value #STORAGE_CLASS}, ReadWriteMany, 1Mi) mounted at {@value #MOUNT} in
 * every step with {@code --with_vineyard} on, the benchmark-data PVC at {@code /data}, the steps in
 * order, privileged Argo steps (for the page-cache drop) and no caching; the pipelines without
 * vineyard have none of the vineyard parts. (That the compiled files are what their sources make is
 * {@link KfpPipelinesCompileIT}'s; that the Argo ones parse is {@link ArgoWorkflowSchemaIT}'s.)
 */
class KubeflowPipelinesTest {
  private static final String STORAGE_CLASS = "vineyard-system.vineyardd-sample.csi";
  private static final String MOUNT = "/vineyard/data";
  private static final List<String> STEPS = List.of("preprocess", "train", "test");

  @ParameterizedTest
  @ValueSource(
      strings = {
        "pipeline.yaml",
        "pipeline-with-vineyard.yaml",
        "kfp-v1/pipeline.yaml",
        "kfp-v1/pipeline-with-vineyard.yaml"
      })
  void argoWorkflows(String file) throws Exception {
    boolean vineyard = file.contains("with-vineyard");
    JsonNode workflow = KubeflowExample.readOneYaml(KubeflowExample.directory().resolve(file));
    assertEquals("Workflow", workflow.path("kind").asText());
    JsonNode spec = workflow.path("spec");
    assertEquals(
        "pipeline-runner", spec.path("serviceAccountName").asText(), "rbac.yaml's account");

    Map<String, String> workflowClaims = claims(spec.path("volumes"));
    Map<String, JsonNode> containers = new HashMap<>(); // step script -> its template
    List<JsonNode> resources = new ArrayList<>();
    JsonNode dag = null;
    for (JsonNode template : spec.path("templates")) {
      if (template.has("container")) {
        String script = template.at("/container/command/1").asText();
        containers.put(script.replaceFirst("^/steps/(.*)\\.py$", "$1"), template);
      } else if (template.has("resource")) {
        resources.add(template);
      } else if (template.has("dag")) {
        dag = template.path("dag");
      }
    }
    assertEquals(Set.copyOf(STEPS), containers.keySet(), file + ": the steps' templates");
    assertEquals(vineyard ? 1 : 0, resources.size(), file + ": resource templates");

    for (String step : STEPS) {
      JsonNode template = containers.get(step);
      JsonNode container = template.path("container");
      assertEquals("python3", container.at("/command/0").asText());
      assertTrue(container.at("/securityContext/privileged").asBoolean(), step + " not privileged");
      if (file.startsWith("kfp-v1/")) { // KFP v1's cache: P0D is "never use a cached result"
        assertEquals(
            "P0D",
            template
                .at("/metadata/annotations/pipelines.kubeflow.org~1max_cache_staleness")
                .asText(),
            step + " may be cached");
      }
      Map<String, String> claims = new HashMap<>(workflowClaims);
      claims.putAll(claims(template.path("volumes")));
      Map<String, String> mounts = new HashMap<>(); // mount path -> claim name
      for (JsonNode mount : container.path("volumeMounts")) {
        mounts.put(mount.path("mountPath").asText(), claims.get(mount.path("name").asText()));
      }
      assertEquals("benchmark-data", mounts.get("/data"), step + ": /data");
      assertEquals(vineyard, withVineyard(container.path("args")), step + ": --with_vineyard");
      if (vineyard) {
        // the claim is the created PVC's name, handed down as a template parameter
        assertTrue(mounts.get(MOUNT).startsWith("{{inputs.parameters."), step + ": " + mounts);
      } else {
        assertFalse(mounts.containsKey(MOUNT), step + " mounts " + MOUNT);
      }
    }
    if (vineyard) {
      JsonNode resource = resources.getFirst().path("resource");
      assertEquals("create", resource.path("action").asText());
      assertTrue(resource.path("setOwnerReference").asBoolean(), "the PVC outlives the workflow");
      JsonNode pvc = KubeflowExample.parseYaml(resource.path("manifest").asText());
      assertEquals("PersistentVolumeClaim", pvc.path("kind").asText());
      assertTrue(pvc.at("/metadata/name").asText().startsWith("{{workflow.name}}-"), "one per run");
      assertEquals(STORAGE_CLASS, pvc.at("/spec/storageClassName").asText());
      assertEquals(List.of("ReadWriteMany"), texts(pvc.at("/spec/accessModes")));
      assertEquals("1Mi", pvc.at("/spec/resources/requests/storage").asText());
    }

    // the order: (the PVC) -> preprocess -> train -> test
    Map<String, String> taskOf = new HashMap<>(); // step -> DAG task name
    Map<String, Set<String>> dependencies = new HashMap<>();
    String pvcTask = null;
    for (JsonNode task : dag.path("tasks")) {
      String name = task.path("name").asText();
      dependencies.put(name, new HashSet<>(texts(task.path("dependencies"))));
      String template = task.path("template").asText();
      containers.forEach(
          (step, t) -> {
            if (t.path("name").asText().equals(template)) {
              taskOf.put(step, name);
            }
          });
      if (vineyard && resources.getFirst().path("name").asText().equals(template)) {
        pvcTask = name;
      }
    }
    assertTrue(dependencies.get(taskOf.get("train")).contains(taskOf.get("preprocess")));
    assertTrue(dependencies.get(taskOf.get("test")).contains(taskOf.get("train")));
    if (vineyard) {
      assertTrue(dependencies.get(taskOf.get("preprocess")).contains(pvcTask));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"kfp-v2/pipeline.yaml", "kfp-v2/pipeline-with-vineyard.yaml"})
  void kfpV2PipelineIr(String file) throws Exception {
    boolean vineyard = file.contains("with-vineyard");
    List<JsonNode> documents = KubeflowExample.readYaml(KubeflowExample.directory().resolve(file));
    assertEquals(2, documents.size(), "the pipeline spec and its Kubernetes platform spec");
    JsonNode tasks = documents.get(0).at("/root/dag/tasks");
    JsonNode executors = documents.get(1).at("/platforms/kubernetes/deploymentSpec/executors");

    for (String step : STEPS) {
      JsonNode task = tasks.path(step);
      assertFalse(task.at("/cachingOptions/enableCache").asBoolean(), step + " is cached");
      assertEquals(
          vineyard,
          task.at("/inputs/parameters/with_vineyard/runtimeValue/constant").asBoolean(),
          step + ": with_vineyard");
      Map<String, JsonNode> mounts = new HashMap<>();
      for (JsonNode mount : executors.path("exec-" + step).path("pvcMount")) {
        mounts.put(mount.path("mountPath").asText(), mount.path("pvcNameParameter"));
      }
      assertEquals("benchmark-data", mounts.get("/data").at("/runtimeValue/constant").asText());
      if (vineyard) {
        assertEquals(
            "createpvc", mounts.get(MOUNT).at("/taskOutputParameter/producerTask").asText());
      } else {
        assertFalse(mounts.containsKey(MOUNT), step + " mounts " + MOUNT);
      }
    }
    assertTrue(texts(tasks.at("/train/dependentTasks")).contains("preprocess"));
    assertTrue(texts(tasks.at("/test/dependentTasks")).contains("train"));
    if (vineyard) {
      JsonNode create = tasks.at("/createpvc/inputs/parameters");
      assertEquals(STORAGE_CLASS, create.at("/storage_class_name/runtimeValue/constant").asText());
      assertEquals(
          List.of("ReadWriteMany"), texts(create.at("/access_modes/runtimeValue/constant")));
      assertEquals("1Mi", create.at("/size/runtimeValue/constant").asText());
      assertTrue(texts(tasks.at("/preprocess/dependentTasks")).contains("createpvc"));
      assertTrue(texts(tasks.at("/deletepvc/dependentTasks")).contains("test"));
      assertEquals(
          "createpvc",
          tasks
              .at("/deletepvc/inputs/parameters/pvc_name/taskOutputParameter/producerTask")
              .asText());
    } else {
      assertFalse(tasks.has("createpvc") || tasks.has("deletepvc"));
    }
  }

  /** Volume name -> PVC claim name, for the PVC volumes in a {@code volumes} list. */
  private static Map<String, String> claims(JsonNode volumes) {
    Map<String, String> claims = new HashMap<>();
    for (JsonNode volume : volumes) {
      if (volume.has("persistentVolumeClaim")) {
        claims.put(
            volume.path("name").asText(), volume.at("/persistentVolumeClaim/claimName").asText());
      }
    }
    return claims;
  }

  /** Whether a step's arguments turn --with_vineyard on, as common.py parses them. */
  private static boolean withVineyard(JsonNode args) {
    for (String arg : texts(args)) {
      if (arg.equals("--with_vineyard")) {
        return true;
      }
      if (arg.startsWith("--with_vineyard=")) {
        return Set.of("true", "1", "yes", "on")
            .contains(arg.substring(16).toLowerCase(Locale.ROOT));
      }
    }
    return false;
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(node -> texts.add(node.asText()));
    return texts;
  }
}
