package io.cellar.deploy.render;

import io.cellar.deploy.crd.CsiDriver;
import io.cellar.deploy.crd.Vineyardd;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The operator's objects ({@code vineyardctl deploy operator}, {@code vineyardctl manifests}, the
 * kustomize tree): the two CRDs, the ServiceAccount {@value #SERVICE_ACCOUNT}, its least-privilege
 * ClusterRole and ClusterRoleBinding, the leader-election Role and RoleBinding in its namespace,
 * and the Deployment {@value #DEPLOYMENT} running {@code vineyardctl manager}. Stateless;
 * thread-safe.
 */
public final class OperatorResources {
  /** The operator Deployment's name (the reference's). */
  public static final String DEPLOYMENT = "vineyard-controller-manager";

  /** The operator's ServiceAccount. */
  public static final String SERVICE_ACCOUNT = "vineyard-manager";

  /** The operator's ClusterRole and ClusterRoleBinding. */
  public static final String CLUSTER_ROLE = "vineyard-manager-role";

  /** The leader-election Role and RoleBinding. */
  public static final String LEADER_ELECTION_ROLE = "vineyard-leader-election-role";

  /** The health probe port of {@code vineyardctl manager}. */
  public static final int HEALTH_PORT = 8081;

  /** The user the operator runs as. */
  static final long OPERATOR_USER = 65532L;

  private OperatorResources() {}

  /**
   * Which objects to render.
   *
   * @param namespace the operator's namespace
   * @param image the operator image
   * @param imagePullPolicy its pull policy
   * @param withNamespace include the Namespace object
   * @param withCrds include the CRDs
   * @param withRbac include ServiceAccount, roles and bindings
   * @param withManager include the Deployment
   * @param leaderElect pass {@code --leader-elect=true} (for more than one replica)
   * @param hostNetwork run the operator pod in the host's network namespace (Cellar: clusters
   *     without a pod network; its health port becomes a host port)
   */
  public record Options(
      String namespace,
      String image,
      String imagePullPolicy,
      boolean withNamespace,
      boolean withCrds,
      boolean withRbac,
      boolean withManager,
      boolean leaderElect,
      boolean hostNetwork) {

    /**
     * Everything, with the defaults.
     *
     * @param namespace the namespace
     * @param image the operator image
     * @return the options
     */
    public static Options all(String namespace, String image) {
      return new Options(namespace, image, "IfNotPresent", true, true, true, true, false, false);
    }
  }

  /** The operator pods' labels. */
  public static Map<String, String> podLabels() {
    return Labels.of(
        Labels.CONTROL_PLANE, "controller-manager", Labels.OPERATOR_INSTANCE, Labels.OPERATOR);
  }

  /**
   * Renders the objects, in apply order (Namespace, CRDs, RBAC, Deployment).
   *
   * @param o what to render
   * @return the objects
   */
  public static List<HasMetadata> render(Options o) {
    List<HasMetadata> out = new ArrayList<>();
    if (o.withNamespace()) {
      out.add(namespace(o.namespace()));
    }
    if (o.withCrds()) {
      out.addAll(crds());
    }
    if (o.withRbac()) {
      out.addAll(rbac(o.namespace()));
    }
    if (o.withManager()) {
      out.add(deployment(o));
    }
    return out;
  }

  /**
   * The namespace object.
   *
   * @param name its name
   * @return the Namespace
   */
  public static Namespace namespace(String name) {
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(name)
        // the CSI node plugin (privileged, host paths) runs in the operator's namespace
        .withLabels(
            Labels.of(
                Labels.MANAGED_BY,
                Labels.VINEYARDCTL,
                "pod-security.kubernetes.io/enforce",
                "privileged"))
        .endMetadata()
        .build();
  }

  /** The CRDs generated at build time from {@link Vineyardd} and {@link CsiDriver}. */
  public static List<CustomResourceDefinition> crds() {
    return List.of(crd(Vineyardd.CRD_NAME), crd(CsiDriver.CRD_NAME));
  }

  /**
   * One generated CRD from the classpath.
   *
   * @param name the CRD's name, {@code vineyardds.k8s.v6d.io}
   * @return the CRD
   */
  public static CustomResourceDefinition crd(String name) {
    String resource = "/META-INF/fabric8/" + name + "-v1.yml";
    try (InputStream in = OperatorResources.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "the generated CRD " + resource + " is not on the classpath");
      }
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * What the operator may do, and nothing more: its own resources and their status, the children it
   * creates, and what the CSI provisioner needs (RBAC lets the operator grant only what it holds).
   * No Secrets, no ConfigMaps, no pods/exec.
   */
  public static List<PolicyRule> operatorRules() {
    Set<PolicyRule> rules = new LinkedHashSet<>();
    String[] own = {"get", "list", "watch", "update", "patch"};
    String[] children = {"get", "list", "watch", "create", "update", "patch", "delete"};
    rules.add(CsiResources.rule(Vineyardd.GROUP, "vineyardds", own));
    rules.add(CsiResources.rule(Vineyardd.GROUP, "csidrivers", own));
    rules.add(CsiResources.rule(Vineyardd.GROUP, "vineyardds/status", "get", "update", "patch"));
    rules.add(CsiResources.rule(Vineyardd.GROUP, "csidrivers/status", "get", "update", "patch"));
    // blockOwnerDeletion on a child needs update of the owner's finalizers where the
    // OwnerReferencesPermissionEnforcement admission plugin is on
    rules.add(CsiResources.rule(Vineyardd.GROUP, "vineyardds/finalizers", "update"));
    rules.add(CsiResources.rule(Vineyardd.GROUP, "csidrivers/finalizers", "update"));
    rules.add(CsiResources.rule("apps", "deployments", children));
    rules.add(CsiResources.rule("apps", "statefulsets", children));
    rules.add(CsiResources.rule("apps", "daemonsets", children));
    rules.add(CsiResources.rule("", "services", children));
    rules.add(CsiResources.rule("", "serviceaccounts", children));
    rules.add(CsiResources.rule("", "persistentvolumeclaims", children));
    rules.add(CsiResources.rule("", "persistentvolumes", children));
    rules.add(CsiResources.rule("storage.k8s.io", "storageclasses", children));
    rules.add(CsiResources.rule("storage.k8s.io", "csidrivers", children));
    rules.add(CsiResources.rule("rbac.authorization.k8s.io", "clusterroles", children));
    rules.add(CsiResources.rule("rbac.authorization.k8s.io", "clusterrolebindings", children));
    rules.addAll(CsiResources.provisionerRules());
    rules.add(CsiResources.leaseRule()); // granted to a built-in provisioner: held to grant it
    return List.copyOf(rules);
  }

  static List<HasMetadata> rbac(String namespace) {
    Map<String, String> labels = Labels.of(Labels.MANAGED_BY, Labels.VINEYARDCTL);
    List<HasMetadata> out = new ArrayList<>();
    out.add(
        new ServiceAccountBuilder()
            .withNewMetadata()
            .withName(SERVICE_ACCOUNT)
            .withNamespace(namespace)
            .withLabels(labels)
            .endMetadata()
            .build());
    out.add(
        new ClusterRoleBuilder()
            .withNewMetadata()
            .withName(CLUSTER_ROLE)
            .withLabels(labels)
            .endMetadata()
            .withRules(operatorRules())
            .build());
    out.add(
        new ClusterRoleBindingBuilder()
            .withNewMetadata()
            .withName(CLUSTER_ROLE.replace("-role", "-rolebinding"))
            .withLabels(labels)
            .endMetadata()
            .withNewRoleRef()
            .withApiGroup("rbac.authorization.k8s.io")
            .withKind("ClusterRole")
            .withName(CLUSTER_ROLE)
            .endRoleRef()
            .addNewSubject()
            .withKind("ServiceAccount")
            .withName(SERVICE_ACCOUNT)
            .withNamespace(namespace)
            .endSubject()
            .build());
    out.add(
        new RoleBuilder()
            .withNewMetadata()
            .withName(LEADER_ELECTION_ROLE)
            .withNamespace(namespace)
            .withLabels(labels)
            .endMetadata()
            .withRules(
                CsiResources.rule(
                    "coordination.k8s.io",
                    "leases",
                    "get",
                    "list",
                    "watch",
                    "create",
                    "update",
                    "patch"),
                CsiResources.rule("", "events", "create", "patch"))
            .build());
    out.add(
        new RoleBindingBuilder()
            .withNewMetadata()
            .withName(LEADER_ELECTION_ROLE.replace("-role", "-rolebinding"))
            .withNamespace(namespace)
            .withLabels(labels)
            .endMetadata()
            .withNewRoleRef()
            .withApiGroup("rbac.authorization.k8s.io")
            .withKind("Role")
            .withName(LEADER_ELECTION_ROLE)
            .endRoleRef()
            .addNewSubject()
            .withKind("ServiceAccount")
            .withName(SERVICE_ACCOUNT)
            .withNamespace(namespace)
            .endSubject()
            .build());
    return out;
  }

  static Deployment deployment(Options o) {
    Map<String, String> labels = podLabels();
    Map<String, String> meta = Labels.of(Labels.MANAGED_BY, Labels.VINEYARDCTL);
    meta.putAll(labels);
    Quantity cpu = new Quantity("500m");
    Quantity memory = new Quantity("500Mi");
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(DEPLOYMENT)
        .withNamespace(o.namespace())
        .withLabels(meta)
        .endMetadata()
        .withNewSpec()
        .withReplicas(1)
        .withNewSelector()
        .withMatchLabels(labels)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .addToAnnotations("kubectl.kubernetes.io/default-container", "manager")
        .endMetadata()
        .withNewSpec()
        .withHostNetwork(o.hostNetwork() ? Boolean.TRUE : null)
        .withServiceAccountName(SERVICE_ACCOUNT)
        .withTerminationGracePeriodSeconds(10L)
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(OPERATOR_USER)
        .withRunAsGroup(OPERATOR_USER)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .addNewContainer()
        .withName("manager")
        .withImage(o.image())
        .withImagePullPolicy(o.imagePullPolicy())
        .withCommand("vineyardctl")
        .withArgs(
            "manager",
            "--health-probe-bind-address=:" + HEALTH_PORT,
            "--leader-elect=" + o.leaderElect(),
            "--verbose")
        .addNewEnv()
        .withName("POD_NAMESPACE")
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath("metadata.namespace")
        .endFieldRef()
        .endValueFrom()
        .endEnv()
        .addNewPort()
        .withName("health")
        .withContainerPort(HEALTH_PORT)
        .withProtocol("TCP")
        .endPort()
        .withNewLivenessProbe()
        .withNewHttpGet()
        .withPath("/healthz")
        .withPort(new IntOrString(HEALTH_PORT))
        .endHttpGet()
        .withInitialDelaySeconds(15)
        .withPeriodSeconds(20)
        .endLivenessProbe()
        .withNewReadinessProbe()
        .withNewHttpGet()
        .withPath("/readyz")
        .withPort(new IntOrString(HEALTH_PORT))
        .endHttpGet()
        .withInitialDelaySeconds(5)
        .withPeriodSeconds(10)
        .endReadinessProbe()
        .withNewResources()
        .addToRequests("cpu", cpu)
        .addToRequests("memory", memory)
        .addToLimits("cpu", cpu)
        .addToLimits("memory", memory)
        .endResources()
        .withSecurityContext(PodParts.restricted())
        .addNewVolumeMount()
        .withName("tmp")
        .withMountPath("/tmp")
        .endVolumeMount()
        .endContainer()
        .addNewVolume()
        .withName("tmp")
        .withNewEmptyDir()
        .endEmptyDir()
        .endVolume()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }
}
