package io.cellar.deploy.cli;

import io.cellar.deploy.operator.HealthServer;
import io.cellar.deploy.operator.VineyardOperator;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vineyardctl manager}: runs the operator until SIGTERM, with {@code /healthz} and {@code
 * /readyz} on {@code --health-probe-bind-address}. The namespace of the CSI workloads (and of the
 * leader lease) is {@code $POD_NAMESPACE} in a pod, else {@code -n}. The reference's webhook,
 * scheduler and metrics flags are accepted; Cellar runs no webhook (the CRD schema validates).
 */
@Command(
    name = "manager",
    mixinStandardHelpOptions = true,
    description = "Run the vineyard operator (reconciles Vineyardd and CSIDriver resources).")
public final class ManagerCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--health-probe-bind-address",
      defaultValue = ":8081",
      description = "the address of /healthz and /readyz (default: ${DEFAULT-VALUE})")
  String healthAddress;

  @Option(
      names = "--metrics-bind-address",
      defaultValue = "127.0.0.1:8080",
      description = "accepted for compatibility; no metrics endpoint yet")
  String metricsAddress;

  @Option(
      names = "--leader-elect",
      arity = "0..1",
      fallbackValue = "true",
      description =
          "run only while holding the lease " + VineyardOperator.LEASE + " (default: false)")
  boolean leaderElect;

  @Option(
      names = "--enable-webhook",
      arity = "0..1",
      fallbackValue = "true",
      description = "accepted for compatibility; Cellar serves no webhook")
  boolean enableWebhook;

  @Option(
      names = "--enable-scheduler",
      arity = "0..1",
      fallbackValue = "true",
      description = "accepted for compatibility; Cellar has no scheduler plugin")
  boolean enableScheduler;

  @Option(
      names = "--scheduler-config-file",
      defaultValue = "/etc/kubernetes/scheduler.yaml",
      description = "accepted for compatibility")
  String schedulerConfig;

  @Option(
      names = "--webhook-cert-dir",
      defaultValue = "/etc/webhook/certs",
      description = "accepted for compatibility")
  String webhookCertDir;

  /** Creates the command (picocli instantiates it). */
  public ManagerCommand() {}

  @Override
  public Integer call() throws Exception {
    Globals g = ManifestsCommand.globals(spec);
    String podNamespace = System.getenv("POD_NAMESPACE");
    String namespace = podNamespace != null && !podNamespace.isBlank() ? podNamespace : g.namespace;
    Config config;
    if (g.kubeconfig != null) {
      if (!Files.isReadable(g.kubeconfig)) {
        throw new UserError("--kubeconfig " + g.kubeconfig + ": no such file (or not readable)");
      }
      config = Config.fromKubeconfig(g.kubeconfig.toFile());
    } else {
      config = Config.autoConfigure(null);
    }
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      try {
        client.getKubernetesVersion();
      } catch (RuntimeException e) {
        throw new UserError(
            "no reachable Kubernetes API server at "
                + config.getMasterUrl()
                + ": "
                + KubeSession.rootMessage(e),
            e);
      }
      VineyardOperator operator = new VineyardOperator(client, namespace, leaderElect);
      CountDownLatch stopped = new CountDownLatch(1);
      try (HealthServer health = HealthServer.start(healthAddress, operator::healthy)) {
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      operator.close();
                      stopped.countDown();
                    },
                    "manager-shutdown"));
        try {
          operator.start();
        } catch (RuntimeException e) {
          throw new UserError(
              "the operator did not start: "
                  + KubeSession.rootMessage(e)
                  + " (are the CRDs installed? vineyardctl deploy operator)",
              e);
        }
        System.err.println(
            "vineyardctl manager: reconciling Vineyardd and CSIDriver resources; CSI workloads in namespace "
                + namespace
                + "; health on port "
                + health.port());
        stopped.await();
      }
    }
    return 0;
  }
}
