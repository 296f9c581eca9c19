package io.cellar.deploy.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/**
 * {@code spec.etcd} (Cellar): how the etcd StatefulSet of a vineyard cluster runs. The reference
 * starts etcd as bare pods from the vineyardd image with no persistent volume; Cellar runs a
 * StatefulSet of the etcd image with one PersistentVolumeClaim per member. The member count stays
 * {@code spec.etcdReplicas}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class EtcdConfig {
  /** The etcd image. */
  @JsonPropertyDescription("the etcd image")
  @Default(Images.ETCD)
  public String image = Images.ETCD;

  /** The etcd image's pull policy. */
  @JsonPropertyDescription("the policy about pulling the etcd image")
  @Default("IfNotPresent")
  public ImagePullPolicy imagePullPolicy = ImagePullPolicy.IfNotPresent;

  /**
   * The size of each member's data volume, a Kubernetes quantity; empty (Cellar): no claim, the
   * member keeps its data in an emptyDir that lives as long as its pod (clusters with no volume
   * provisioner, tests).
   */
  @JsonPropertyDescription(
      "the size of each etcd member's PersistentVolumeClaim; empty: an emptyDir that lives as"
          + " long as the pod")
  @Default("1Gi")
  @Pattern("^([0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?)?$")
  public String storage = "1Gi";

  /** The StorageClass of the data volumes; empty means the cluster's default class. */
  @JsonPropertyDescription(
      "the StorageClass of the etcd members' claims; empty means the cluster's default")
  @Default("''")
  public String storageClassName = "";

  /** Creates the defaults. */
  public EtcdConfig() {}
}
