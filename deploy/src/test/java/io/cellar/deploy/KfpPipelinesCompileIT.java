package io.cellar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.testing.python.PythonVenv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checked-in compiled pipelines of {@code deploy/examples/kubeflow} are what their sources
 * compile to: the {@code pipelines.py} of {@code kfp-v1} and of {@code kfp-v2} runs under the
 * pinned SDK (a venv per kfp major, since kfp 1 and kfp 2 conflict) into a temporary directory, and
 * every document of every file it writes must equal the checked-in one, compared as YAML data (not
 * text: the order of keys and the line breaks are the YAML writer's business). Fails when a source
 * no longer compiles, when it makes other files, or when its output changed: then run the source
 * (see the example's README) and check in what it writes.
 *
 * <p>Ignored, because it changes at every compilation: KFP v1's annotation {@code
 * pipelines.kubeflow.org/pipeline_compilation_time} (present on both sides, removed before the
 * comparison). Not ignored: the SDK version labels and {@code sdkVersion}, which the pins fix;
 * after a pin change the checked-in files must be compiled again. KFP v2 output has no volatile
 * field (two compilations are identical).
 */
class KfpPipelinesCompileIT {
  private static final Duration COMPILE_TIMEOUT = Duration.ofMinutes(5);
  private static final List<String> OUTPUTS =
      List.of("pipeline.yaml", "pipeline-with-vineyard.yaml");
  private static final String COMPILATION_TIME = "pipelines.kubeflow.org/pipeline_compilation_time";

  @TempDir Path out;

  @Test
  void kfpV1SourcesCompileToTheCheckedInArgoWorkflows() throws Exception {
    Map<Path, List<JsonNode>> compiled = compile("kfp-v1");
    for (Map.Entry<Path, List<JsonNode>> file : compiled.entrySet()) {
      List<JsonNode> expected = KubeflowExample.readYaml(file.getKey());
      List<JsonNode> actual = file.getValue();
      for (List<JsonNode> side : List.of(expected, actual)) {
        assertEquals(1, side.size(), file.getKey() + ": one Argo Workflow");
        ObjectNode annotations = (ObjectNode) side.getFirst().path("metadata").path("annotations");
        assertTrue(annotations.has(COMPILATION_TIME), "no " + COMPILATION_TIME + " to ignore");
        annotations.remove(COMPILATION_TIME);
      }
      assertSameDocuments(file.getKey(), expected, actual);
    }
  }

  @Test
  void kfpV2SourcesCompileToTheCheckedInPipelineIr() throws Exception {
    Map<Path, List<JsonNode>> compiled = compile("kfp-v2");
    for (Map.Entry<Path, List<JsonNode>> file : compiled.entrySet()) {
      List<JsonNode> actual = file.getValue();
      assertEquals(2, actual.size(), "the pipeline spec and its Kubernetes platform spec");
      assertSameDocuments(file.getKey(), KubeflowExample.readYaml(file.getKey()), actual);
    }
  }

  /**
   * Compiles {@code <example>/<version>/pipelines.py} into {@link #out}; returns the checked-in
   * file beside the source -> the documents compiled for it.
   */
  private Map<Path, List<JsonNode>> compile(String version)
      throws IOException, InterruptedException {
    PythonVenv venv = KubeflowExample.venv(version);
    Path sources = KubeflowExample.directory().resolve(version);
    venv.run(COMPILE_TIMEOUT, sources.resolve("pipelines.py").toString(), out.toString());
    try (Stream<Path> made = Files.list(out)) {
      assertEquals(
          new TreeSet<>(OUTPUTS),
          new TreeSet<>(made.map(p -> p.getFileName().toString()).toList()),
          "the files " + version + "/pipelines.py writes");
    }
    Map<Path, List<JsonNode>> compiled = new LinkedHashMap<>();
    for (String name : OUTPUTS) {
      compiled.put(sources.resolve(name), KubeflowExample.readYaml(out.resolve(name)));
    }
    return compiled;
  }

  private static void assertSameDocuments(
      Path file, List<JsonNode> expected, List<JsonNode> actual) {
    assertEquals(expected.size(), actual.size(), file + ": number of YAML documents");
    List<String> differences = new ArrayList<>();
    for (int i = 0; i < expected.size(); i++) {
      differences(expected.get(i), actual.get(i), "doc" + i, differences);
    }
    if (!differences.isEmpty()) {
      fail(
          file
              + " is not what its source compiles to now; compile it again and check it in."
              + " Differences (checked-in vs compiled):\n  "
              + String.join("\n  ", differences.subList(0, Math.min(40, differences.size()))));
    }
  }

  /** Appends the paths where two trees differ, with both values, to {@code into}. */
  private static void differences(JsonNode a, JsonNode b, String path, List<String> into) {
    if (a.equals(b)) {
      return;
    }
    if (a.isObject() && b.isObject()) {
      TreeSet<String> keys = new TreeSet<>();
      a.fieldNames().forEachRemaining(keys::add);
      b.fieldNames().forEachRemaining(keys::add);
      for (String key : keys) {
        differences(a.path(key), b.path(key), path + "/" + key, into);
      }
    } else if (a.isArray() && b.isArray() && a.size() == b.size()) {
      Iterator<JsonNode> x = a.elements();
      Iterator<JsonNode> y = b.elements();
      for (int i = 0; x.hasNext(); i++) {
        differences(x.next(), y.next(), path + "/" + i, into);
      }
    } else {
      into.add(path + ": " + shown(a) + " vs " + shown(b));
    }
  }

  private static String shown(JsonNode node) {
    if (node.isMissingNode()) {
      return "(absent)";
    }
    String text = node.toString();
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }
}
