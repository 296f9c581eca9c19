package io.cellar.deploy.render;

import java.util.LinkedHashMap;
import java.util.Map;

/** The label keys and values the rendered objects carry (the reference's, plus managed-by). */
public final class Labels {
  /** The Vineyardd or CSIDriver a child belongs to. */
  public static final String NAME = "app.vineyard.io/name";

  /** The child's role: {@code etcd}, {@code vineyardd}, {@code csi-driver}, {@code csi-nodes}. */
  public static final String ROLE = "app.vineyard.io/role";

  /** {@code app.kubernetes.io/name}. */
  public static final String K8S_NAME = "app.kubernetes.io/name";

  /** {@code app.kubernetes.io/instance}: {@code {ns}-{name}} for vineyardd pods. */
  public static final String INSTANCE = "app.kubernetes.io/instance";

  /** {@code app.kubernetes.io/component}. */
  public static final String COMPONENT = "app.kubernetes.io/component";

  /** {@code app.kubernetes.io/managed-by}: who applies the object. */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  /** The operator's value of {@link #MANAGED_BY}; its informers select on it. */
  public static final String OPERATOR = "vineyard-operator";

  /** The value of {@link #MANAGED_BY} on objects that {@code vineyardctl} applies itself. */
  public static final String VINEYARDCTL = "vineyardctl";

  /** The label the reference's CSI reconciler finds the operator Deployment by. */
  public static final String OPERATOR_INSTANCE = "k8s.v6d.io/instance";

  /** The operator pod's label {@code control-plane=controller-manager}. */
  public static final String CONTROL_PLANE = "control-plane";

  /** Role values. */
  public static final String ROLE_ETCD = "etcd";

  /** Role of vineyardd pods. */
  public static final String ROLE_VINEYARDD = "vineyardd";

  /** Role of the CSI controller. */
  public static final String ROLE_CSI_DRIVER = "csi-driver";

  /** Role of the CSI node plugin. */
  public static final String ROLE_CSI_NODES = "csi-nodes";

  private Labels() {}

  /**
   * An ordered label map from key/value pairs.
   *
   * @param pairs key, value, key, value, ...
   * @return a new mutable map
   */
  public static Map<String, String> of(String... pairs) {
    if (pairs.length % 2 != 0) {
      throw new IllegalArgumentException("labels come in pairs");
    }
    Map<String, String> labels = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      labels.put(pairs[i], pairs[i + 1]);
    }
    return labels;
  }
}
