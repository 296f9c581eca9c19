package io.cellar.deploy.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cellar.testing.k8s.KubeTools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl kustomize deploy/kubernetes/default} (the cached kubectl's kustomize) builds the
 * same objects as {@code vineyardctl manifests}: the no-CLI path installs what the CLI installs.
 */
class KustomizeTreeIT {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static Map<String, JsonNode> objects(String stream) throws Exception {
    Map<String, JsonNode> out = new TreeMap<>();
    try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(stream)) {
      while (docs.hasNext()) {
        JsonNode o = docs.next();
        if (o == null || o.isNull() || o.isEmpty()) {
          continue;
        }
        String key =
            o.path("kind").asText()
                + " "
                + o.path("metadata").path("namespace").asText("")
                + "/"
                + o.path("metadata").path("name").asText();
        out.put(key, o);
      }
    }
    return out;
  }

  @Test
  void theKustomizeTreeBuildsWhatTheCliRenders() throws Exception {
    Path repo = Path.of(System.getProperty("cellar.repo.root", "..")).toAbsolutePath().normalize();
    Path kubectl = KubeTools.locate().binary("kubectl");
    Process p =
        new ProcessBuilder(
                kubectl.toString(),
                "kustomize",
                repo.resolve("deploy/kubernetes/default").toString())
            .redirectErrorStream(true)
            .start();
    String built = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    assertEquals(0, p.exitValue(), built);
    CliProcess.Result cli =
        new CliProcess(java.nio.file.Files.createTempDirectory("cli"))
            .run(Duration.ofMinutes(1), "manifests");
    assertEquals(0, cli.exit(), cli.toString());
    Map<String, JsonNode> fromTree = objects(built);
    Map<String, JsonNode> fromCli = objects(cli.stdout());
    assertEquals(fromCli.keySet(), fromTree.keySet());
    for (String key : fromCli.keySet()) {
      java.util.List<String> differences = new java.util.ArrayList<>();
      diff("", fromCli.get(key), fromTree.get(key), differences);
      assertEquals(java.util.List.of(), differences, key + ": CLI vs kustomize");
    }
  }

  /** Paths where two trees differ; 1.0 and 1 are the same number (YAML writers differ there). */
  static void diff(String path, JsonNode a, JsonNode b, java.util.List<String> out) {
    if (a == null || b == null) {
      if (a != b) {
        out.add(path + ": " + a + " vs " + b);
      }
      return;
    }
    if (a.isNumber() && b.isNumber()) {
      if (a.decimalValue().compareTo(b.decimalValue()) != 0) {
        out.add(path + ": " + a + " vs " + b);
      }
      return;
    }
    if (a.isObject() && b.isObject()) {
      java.util.Set<String> names = new java.util.TreeSet<>();
      a.fieldNames().forEachRemaining(names::add);
      b.fieldNames().forEachRemaining(names::add);
      for (String n : names) {
        diff(path + "." + n, a.get(n), b.get(n), out);
      }
      return;
    }
    if (a.isArray() && b.isArray() && a.size() == b.size()) {
      for (int i = 0; i < a.size(); i++) {
        diff(path + "[" + i + "]", a.get(i), b.get(i), out);
      }
      return;
    }
    if (!a.equals(b)) {
      out.add(path + ": " + a + " vs " + b);
    }
  }
}
