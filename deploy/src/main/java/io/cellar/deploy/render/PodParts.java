package io.cellar.deploy.render;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;

/** Pieces every renderer's containers share. Stateless; thread-safe. */
final class PodParts {
  private PodParts() {}

  /**
   * An environment variable from the downward API.
   *
   * @param name the variable
   * @param path the pod field, e.g. {@code metadata.name} or {@code status.podIP}
   * @return the variable
   */
  static EnvVar field(String name, String path) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath(path)
        .endFieldRef()
        .endValueFrom()
        .build();
  }

  /**
   * The container security context of a non-privileged Cellar container: no privilege escalation, a
   * read-only root file system, no capability.
   *
   * @return a new context
   */
  static SecurityContext restricted() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .build();
  }
}
