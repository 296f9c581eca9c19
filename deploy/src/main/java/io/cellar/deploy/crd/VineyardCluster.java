package io.cellar.deploy.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** One entry of {@code spec.clusters}: a vineyard cluster, named by its Vineyardd. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class VineyardCluster {
  /** A DNS label (a namespace). */
  public static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

  /** A DNS subdomain (an object name). */
  public static final String DNS_SUBDOMAIN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /** The cluster's namespace. */
  @JsonPropertyDescription("Namespace is the namespace of the vineyard cluster")
  @Required
  @Pattern(DNS_LABEL)
  public String namespace;

  /** The Vineyardd's name. */
  @JsonPropertyDescription("Name is the name of the vineyard deployment")
  @Required
  @Pattern(DNS_SUBDOMAIN)
  public String name;

  /** Creates an empty entry (for Jackson). */
  public VineyardCluster() {}

  /**
   * Creates an entry.
   *
   * @param namespace the namespace
   * @param name the Vineyardd's name
   */
  public VineyardCluster(String namespace, String name) {
    this.namespace = namespace;
    this.name = name;
  }

  /** {@code namespace/name}. */
  @Override
  public String toString() {
    return namespace + "/" + name;
  }

  /** The StorageClass of this cluster, {@code {namespace}.{name}.csi}. */
  public String storageClassName() {
    return namespace + "." + name + ".csi";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VineyardCluster c
        && java.util.Objects.equals(namespace, c.namespace)
        && java.util.Objects.equals(name, c.name);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(namespace, name);
  }
}
