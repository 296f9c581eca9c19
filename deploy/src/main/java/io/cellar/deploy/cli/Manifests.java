package io.cellar.deploy.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;

/** Objects as a multi-document YAML stream, {@code kubectl apply -f -} ready. Stateless. */
public final class Manifests {
  private Manifests() {}

  /**
   * Serialises objects, one YAML document each.
   *
   * @param objects the objects
   * @return the stream, each document starting with {@code ---}
   */
  public static String yaml(List<? extends HasMetadata> objects) {
    StringBuilder out = new StringBuilder();
    for (HasMetadata o : objects) {
      String doc = Serialization.asYaml(o);
      out.append(doc.startsWith("---") ? doc : "---\n" + doc);
      if (!doc.endsWith("\n")) {
        out.append('\n');
      }
    }
    return out.toString();
  }
}
