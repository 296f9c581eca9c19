package io.cellar.deploy.cli;

import io.cellar.deploy.render.OperatorResources;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One command's connection to the API server: the client built from {@code --kubeconfig}, a check
 * that the server answers (so an unreachable one is one clear message, not a stack trace later),
 * the namespace created if asked, and server-side apply under the field manager {@value
 * #FIELD_MANAGER}. Close it when done. Thread-safe.
 */
public final class KubeSession implements AutoCloseable {
  /** The field manager of what vineyardctl applies. */
  public static final String FIELD_MANAGER = "vineyardctl";

  private final KubernetesClient client;
  private final Globals globals;

  private KubeSession(KubernetesClient client, Globals globals) {
    this.client = client;
    this.globals = globals;
  }

  /**
   * Connects and checks the server answers.
   *
   * @param globals the global flags
   * @return the session
   * @throws UserError if the kubeconfig is missing or unreadable, or the server does not answer
   */
  public static KubeSession open(Globals globals) {
    Config config;
    String source;
    try {
      if (globals.kubeconfig != null) {
        Path file = globals.kubeconfig;
        if (!Files.isReadable(file)) {
          throw new UserError("--kubeconfig " + file + ": no such file (or not readable)");
        }
        config = Config.fromKubeconfig(file.toFile());
        source = "--kubeconfig " + file;
      } else {
        config = Config.autoConfigure(null);
        String env = System.getenv("KUBECONFIG");
        source =
            env != null && !env.isBlank()
                ? "$KUBECONFIG " + env
                : "$HOME/.kube/config (or the in-cluster ServiceAccount)";
      }
    } catch (UserError e) {
      throw e;
    } catch (Exception e) {
      throw new UserError("cannot read the kubeconfig: " + e.getMessage(), e);
    }
    config.setRequestTimeout(30_000);
    config.setConnectionTimeout(10_000);
    config.setRequestRetryBackoffLimit(0);
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    try {
      client.getKubernetesVersion();
    } catch (RuntimeException e) {
      client.close();
      String url = config.getMasterUrl();
      throw new UserError(
          "no reachable Kubernetes API server at "
              + url
              + " (from "
              + source
              + "): "
              + rootMessage(e)
              + ". Pass --kubeconfig FILE or set KUBECONFIG.",
          e);
    }
    return new KubeSession(client, globals);
  }

  /**
   * Wraps an existing client (tests, the in-process operator).
   *
   * @param client the client
   * @param globals the global flags
   * @return the session (closing it closes the client)
   */
  public static KubeSession of(KubernetesClient client, Globals globals) {
    return new KubeSession(client, globals);
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }

  /** The client. */
  public KubernetesClient client() {
    return client;
  }

  /** The global flags. */
  public Globals globals() {
    return globals;
  }

  /**
   * Makes sure {@code -n}'s namespace exists: creates it with {@code --create-namespace}, else
   * fails naming the flag.
   *
   * @throws UserError if it is missing and may not be created
   */
  public void ensureNamespace() {
    ensureNamespace(globals.createNamespace);
  }

  /**
   * Makes sure {@code -n}'s namespace exists.
   *
   * @param create create it when missing ({@code deploy operator} always does, as the reference's
   *     embedded manifests carry the Namespace object)
   * @throws UserError if it is missing and may not be created
   */
  public void ensureNamespace(boolean create) {
    String ns = globals.namespace;
    Namespace existing = client.namespaces().withName(ns).get();
    if (existing != null) {
      return;
    }
    if (!create) {
      throw new UserError(
          "namespace "
              + ns
              + " does not exist: pass --create-namespace, or choose another with -n/--namespace");
    }
    apply(List.of(OperatorResources.namespace(ns)));
  }

  /**
   * Applies objects with server-side apply, in order.
   *
   * @param objects the objects
   * @throws UserError naming the first object the server refuses
   */
  public void apply(List<? extends HasMetadata> objects) {
    for (HasMetadata object : objects) {
      try {
        client.resource(object).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
        Progress.log(globals, "applied " + Readiness.describe(object));
      } catch (KubernetesClientException e) {
        throw refused("apply", object, e);
      }
    }
  }

  /**
   * Deletes objects (missing ones are fine), dependents in the foreground.
   *
   * @param objects the objects
   * @throws UserError naming the first object the server refuses to delete
   */
  public void delete(List<? extends HasMetadata> objects) {
    for (HasMetadata object : objects) {
      try {
        client
            .resource(object)
            .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.FOREGROUND)
            .withTimeout(60, TimeUnit.SECONDS)
            .delete();
        Progress.log(globals, "deleted " + Readiness.describe(object));
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          continue;
        }
        throw refused("delete", object, e);
      }
    }
  }

  static UserError refused(String verb, HasMetadata object, KubernetesClientException e) {
    String message =
        e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage()
            : rootMessage(e);
    String hint = "";
    if (e.getCode() == 404 && object.getApiVersion().startsWith("k8s.v6d.io")) {
      hint = " (are the CRDs installed? run: vineyardctl deploy operator)";
    }
    return new UserError(
        "cannot " + verb + " " + Readiness.describe(object) + ": " + message + hint, e);
  }

  @Override
  public void close() {
    client.close();
  }
}
