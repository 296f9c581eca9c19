package io.cellar.deploy.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/**
 * {@code spec.pluginImage}: images of the reference's operation jobs (backup, recover, assembly,
 * repartition). Kept so resources written for the reference apply; Cellar's operator runs none of
 * these jobs yet.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class PluginImageConfig {
  /** The backup job image. */
  @JsonPropertyDescription("the image of backup operation")
  @Default("ghcr.io/v6d-io/v6d/backup-job")
  public String backupImage = "ghcr.io/v6d-io/v6d/backup-job";

  /** The recover job image. */
  @JsonPropertyDescription("the image of recover operation")
  @Default("ghcr.io/v6d-io/v6d/recover-job")
  public String recoverImage = "ghcr.io/v6d-io/v6d/recover-job";

  /** The dask repartition job image. */
  @JsonPropertyDescription("the image of dask repartition operation")
  @Default("ghcr.io/v6d-io/v6d/dask-repartition")
  public String daskRepartitionImage = "ghcr.io/v6d-io/v6d/dask-repartition";

  /** The local assembly job image. */
  @JsonPropertyDescription("the image of local assembly operation")
  @Default("ghcr.io/v6d-io/v6d/local-assembly")
  public String localAssemblyImage = "ghcr.io/v6d-io/v6d/local-assembly";

  /** The distributed assembly job image. */
  @JsonPropertyDescription("the image of distributed assembly operation")
  @Default("ghcr.io/v6d-io/v6d/distributed-assembly")
  public String distributedAssemblyImage = "ghcr.io/v6d-io/v6d/distributed-assembly";

  /** Creates the defaults. */
  public PluginImageConfig() {}
}
