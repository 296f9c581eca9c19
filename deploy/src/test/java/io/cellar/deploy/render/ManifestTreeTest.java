package io.cellar.deploy.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.deploy.crd.CsiDriver;
import io.cellar.deploy.crd.Vineyardd;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The checked-in CRDs and kustomize files are what the build generates and the code renders: a
 * change to the Java types or renderers that is not carried into {@code deploy/kubernetes/} fails
 * here ({@code -Dcellar.update.manifests=true} rewrites the files).
 */
class ManifestTreeTest {
  static final boolean UPDATE = Boolean.getBoolean("cellar.update.manifests");

  static void check(Path file, String expected) throws IOException {
    if (UPDATE) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, expected);
      return;
    }
    assertTrue(Files.isRegularFile(file), file + " is missing; regenerate the tree");
    assertEquals(
        expected,
        Files.readString(file),
        file + " differs from what the build generates; regenerate: " + ManifestTree.HEADER);
  }

  @Test
  void checkedInCrdsAreTheGeneratedOnes() throws IOException {
    for (String crd : List.of(Vineyardd.CRD_NAME, CsiDriver.CRD_NAME)) {
      String generated;
      try (InputStream in =
          getClass().getResourceAsStream("/META-INF/fabric8/" + crd + "-v1.yml")) {
        assertTrue(in != null, "the CRD generator made no " + crd);
        generated = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      String plural = crd.substring(0, crd.indexOf('.'));
      check(ManifestTree.root().resolve("crd/bases/k8s.v6d.io_" + plural + ".yaml"), generated);
    }
  }

  @Test
  void checkedInOperatorFilesAreTheRenderedObjects() throws IOException {
    for (Map.Entry<String, List<HasMetadata>> file : ManifestTree.files().entrySet()) {
      check(ManifestTree.root().resolve(file.getKey()), ManifestTree.text(file.getValue()));
    }
  }
}
