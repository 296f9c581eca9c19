package io.cellar.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.cellar.testing.python.PythonVenv;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the tests of {@code deploy/examples/kubeflow} share: where the example is, the pins of its
 * Python environments (system properties that deploy's pom fills from the root pom), and a YAML
 * reader.
 */
final class KubeflowExample {
  private static final YAMLMapper YAML = new YAMLMapper();

  private KubeflowExample() {}

  /** The example's directory, {@code <repo>/deploy/examples/kubeflow}. */
  static Path directory() {
    return PythonVenv.repoRoot().resolve("deploy/examples/kubeflow");
  }

  /**
   * The venv {@code build/venv-<name>} with the pins in the system property {@code
   * cellar.python.<name>.requirements} (space-separated).
   */
  static PythonVenv venv(String name) throws IOException, InterruptedException {
    String property = "cellar.python." + name + ".requirements";
    String pins = System.getProperty(property);
    if (pins == null || pins.isBlank()) {
      throw new IllegalStateException(
          "system property "
              + property
              + " is not set: run the test through Maven (deploy/pom.xml)");
    }
    return PythonVenv.ensure(PythonVenv.repoRoot(), name, List.of(pins.strip().split("\\s+")));
  }

  /** Every document of a YAML file, in order. */
  static List<JsonNode> readYaml(Path file) throws IOException {
    List<JsonNode> documents = new ArrayList<>();
    try (MappingIterator<JsonNode> all = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      while (all.hasNext()) {
        documents.add(all.next());
      }
    }
    return documents;
  }

  /** The one document of a YAML file. */
  static JsonNode readOneYaml(Path file) throws IOException {
    List<JsonNode> documents = readYaml(file);
    if (documents.size() != 1) {
      throw new IOException(file + ": " + documents.size() + " YAML documents, expected one");
    }
    return documents.getFirst();
  }

  /** Parses YAML text, for example a resource template's manifest. */
  static JsonNode parseYaml(String text) throws IOException {
    return YAML.readTree(text);
  }
}
