package io.cellar.deploy.operator;

import io.cellar.deploy.crd.CsiDriver;
import io.cellar.deploy.crd.Vineyardd;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.time.Duration;

/**
 * The operator: both reconcilers registered on one Java Operator SDK {@link Operator}, watching
 * Vineyardds in every namespace and CSIDrivers cluster-wide. Start it once; {@link #close()} stops
 * it. Thread-safe.
 */
public final class VineyardOperator implements AutoCloseable {
  /** The lease name for {@code --leader-elect}. */
  public static final String LEASE = "vineyard-operator-lock";

  private final Operator operator;

  /**
   * Builds the operator (does not start it).
   *
   * @param client the client (not closed by the operator)
   * @param namespace the operator's namespace (the CSI workloads go there; the lease lives there)
   * @param leaderElect whether to run only while holding the lease
   */
  public VineyardOperator(KubernetesClient client, String namespace, boolean leaderElect) {
    this.operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  .checkingCRDAndValidateLocalModel(false)
                  .withStopOnInformerErrorDuringStartup(true)
                  .withCacheSyncTimeout(Duration.ofMinutes(2))
                  .withConcurrentReconciliationThreads(4);
              if (leaderElect) {
                o.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(LEASE, namespace));
              }
            });
    operator.register(
        new VineyarddReconciler(client),
        c ->
            c.withName("vineyardd")
                .watchingAllNamespaces()
                .withReconciliationMaxInterval(VineyarddReconciler.RESYNC)
                .withFieldManager(ChildApplier.FIELD_MANAGER));
    operator.register(
        new CsiDriverReconciler(client, namespace),
        c ->
            c.withName("csidriver")
                .withReconciliationMaxInterval(VineyarddReconciler.RESYNC)
                .withFieldManager(ChildApplier.FIELD_MANAGER));
  }

  /** Starts the informers and the reconcilers; returns once the caches are synced. */
  public void start() {
    operator.start();
  }

  /** Whether every event source is healthy (the informers watch). */
  public boolean healthy() {
    try {
      return operator.getRuntimeInfo().isStarted()
          && operator.getRuntimeInfo().allEventSourcesAreHealthy();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The two resource types this operator reconciles. */
  public static java.util.List<Class<?>> resourceTypes() {
    return java.util.List.of(Vineyardd.class, CsiDriver.class);
  }

  @Override
  public void close() {
    operator.stop();
  }
}
