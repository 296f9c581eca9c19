package io.cellar.deploy.render;

import io.cellar.deploy.cli.Globals;
import io.cellar.deploy.cli.Manifests;
import io.cellar.deploy.crd.Images;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checked-in kustomize tree under {@code deploy/kubernetes/}: which file holds which rendered
 * objects. {@link ManifestTreeTest} fails when a file differs from what the code renders, and
 * writes the files instead with {@code -Dcellar.update.manifests=true}.
 */
final class ManifestTree {
  static final String HEADER =
      "# Rendered by vineyardctl's io.cellar.deploy.render (the same objects as `vineyardctl"
          + " manifests`).\n# Regenerate with: ./mvnw -pl deploy -am test -Dtest=ManifestTreeTest"
          + " -Dcellar.update.manifests=true -Dsurefire.failIfNoSpecifiedTests=false\n";

  private ManifestTree() {}

  /** The tree's root, {@code deploy/kubernetes}. */
  static Path root() {
    return Path.of(System.getProperty("cellar.repo.root", "..")).resolve("deploy/kubernetes");
  }

  /** Each generated file (relative to the root) with its objects, in the default namespace. */
  static Map<String, List<HasMetadata>> files() {
    String ns = Globals.DEFAULT_NAMESPACE;
    Map<String, List<HasMetadata>> files = new LinkedHashMap<>();
    files.put("default/namespace.yaml", List.of(OperatorResources.namespace(ns)));
    List<HasMetadata> rbac = OperatorResources.rbac(ns);
    files.put("rbac/service_account.yaml", List.of(rbac.get(0)));
    files.put("rbac/role.yaml", List.of(rbac.get(1)));
    files.put("rbac/role_binding.yaml", List.of(rbac.get(2)));
    files.put("rbac/leader_election_role.yaml", List.of(rbac.get(3)));
    files.put("rbac/leader_election_role_binding.yaml", List.of(rbac.get(4)));
    files.put(
        "manager/manager.yaml",
        List.of(
            OperatorResources.deployment(OperatorResources.Options.all(ns, Images.VINEYARDCTL))));
    return files;
  }

  /** The generated text of one file. */
  static String text(List<HasMetadata> objects) {
    return HEADER + Manifests.yaml(new ArrayList<>(objects));
  }
}
