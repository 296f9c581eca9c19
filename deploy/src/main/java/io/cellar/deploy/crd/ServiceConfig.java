package io.cellar.deploy.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** {@code spec.service}: the {@code {name}-rpc} Service in front of the vineyardd RPC ports. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class ServiceConfig {
  /** The Service type (default ClusterIP). */
  @JsonPropertyDescription("service type")
  @Default("ClusterIP")
  public ServiceType type = ServiceType.ClusterIP;

  /** The Service port (default 9600); it forwards to the containers' RPC port 9600. */
  @JsonPropertyDescription("service port")
  @Default("9600")
  @Min(1)
  @Max(65535)
  public Integer port = 9600;

  /** Creates the defaults. */
  public ServiceConfig() {}
}
