package io.cellar.deploy.cli;

import io.cellar.deploy.crd.ImagePullPolicy;
import io.cellar.deploy.crd.Images;
import io.cellar.deploy.render.OperatorResources;
import picocli.CommandLine.Option;

/** The flags of the operator's objects (Cellar: the reference embeds fixed manifests). */
public final class OperatorFlags {
  @Option(
      names = "--operator-image",
      defaultValue = Images.VINEYARDCTL,
      description = "the operator image, running vineyardctl manager (default: ${DEFAULT-VALUE})")
  String image;

  @Option(
      names = "--operator-image-pull-policy",
      defaultValue = "IfNotPresent",
      description = "the operator image's pull policy (default: ${DEFAULT-VALUE})")
  ImagePullPolicy pullPolicy;

  @Option(
      names = "--operator-host-network",
      arity = "0..1",
      fallbackValue = "true",
      description = "run the operator pod in the host's network namespace (Cellar; default: false)")
  boolean hostNetwork;

  /** Creates the flags (picocli fills them). */
  public OperatorFlags() {}

  /**
   * The options for everything but the Namespace object.
   *
   * @param namespace the operator's namespace
   * @return the options
   */
  OperatorResources.Options options(String namespace) {
    return new OperatorResources.Options(
        namespace, image, pullPolicy.name(), false, true, true, true, false, hostNetwork);
  }
}
