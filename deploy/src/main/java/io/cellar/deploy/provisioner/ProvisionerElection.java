package io.cellar.deploy.provisioner;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link Provisioner} only while this process holds the Lease, so that of several controller
 * replicas exactly one provisions (external-provisioner's {@code --leader-election}). The Lease is
 * {@code <namespace>/<driver name with every character outside [a-z0-9] as '-'>} (for {@code
 * csi.vineyard.v6d.io}: {@code csi-vineyard-v6d-io}); the holder is this process's identity. On
 * winning the provisioner starts; on losing it (the Lease could not be renewed in time) it stops
 * and {@code onLost} is called: the driver process then exits, as external-provisioner does, and
 * its restart competes again. {@link #close} stops provisioning and releases the Lease at once, so
 * another replica takes over without waiting for it to expire.
 *
 * <p>Threading: fabric8's elector runs on its own thread and calls back there; {@link #close} may
 * be called from any thread.
 */
public final class ProvisionerElection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProvisionerElection.class);

  /**
   * The Lease's timings.
   *
   * @param leaseDuration how long a Lease holds without renewal
   * @param renewDeadline how long the holder tries to renew before giving up
   * @param retryPeriod how often candidates try
   */
  public record Timing(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
    /**
     * fabric8's elector wants {@code renewDeadline > retryPeriod × (1 + JITTER_FACTOR)}, with a
     * jitter factor of 1.2 (client-go asks only {@code > retryPeriod × 1.2}).
     */
    static final double RETRIES_PER_RENEW = 2.2;

    /**
     * external-provisioner's 15 s Lease and 10 s renew deadline, retrying every 4 s (its 5 s would
     * break fabric8's rule above: 5 s × 2.2 is more than 10 s).
     */
    public static final Timing DEFAULT =
        new Timing(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(4));

    /**
     * Checks the timings as the elector will, so that a bad one fails here, by name.
     *
     * @throws IllegalArgumentException unless leaseDuration &gt; renewDeadline &gt; 2.2 ×
     *     retryPeriod &gt; 0
     */
    public Timing {
      if (retryPeriod.isNegative() || retryPeriod.isZero()) {
        throw new IllegalArgumentException("retryPeriod must be positive, not " + retryPeriod);
      }
      if (renewDeadline.toNanos() <= retryPeriod.toNanos() * RETRIES_PER_RENEW) {
        throw new IllegalArgumentException(
            "renewDeadline "
                + renewDeadline
                + " must be more than "
                + RETRIES_PER_RENEW
                + " x retryPeriod "
                + retryPeriod);
      }
      if (leaseDuration.compareTo(renewDeadline) <= 0) {
        throw new IllegalArgumentException(
            "leaseDuration " + leaseDuration + " must be more than renewDeadline " + renewDeadline);
      }
    }
  }

  private final String identity;
  private final Supplier<Provisioner> factory;
  private final Runnable onLost;
  private final CompletableFuture<?> running;
  private Provisioner provisioner;
  private boolean closing;

  private ProvisionerElection(
      KubernetesClient client,
      String namespace,
      String driver,
      String identity,
      Timing timing,
      Supplier<Provisioner> factory,
      Runnable onLost) {
    this.identity = identity;
    this.factory = factory;
    this.onLost = onLost;
    this.running =
        client
            .leaderElector()
            .withConfig(
                config(
                    namespace,
                    driver,
                    identity,
                    timing,
                    new LeaderCallbacks(this::started, this::stopped, this::newLeader)))
            .build()
            .start();
  }

  static io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig config(
      String namespace, String driver, String identity, Timing timing, LeaderCallbacks callbacks) {
    return new LeaderElectionConfigBuilder()
        .withName(leaseName(driver))
        .withLock(new LeaseLock(namespace, leaseName(driver), identity))
        .withLeaseDuration(timing.leaseDuration())
        .withRenewDeadline(timing.renewDeadline())
        .withRetryPeriod(timing.retryPeriod())
        .withReleaseOnCancel(true)
        .withLeaderCallbacks(callbacks)
        .build();
  }

  /**
   * Competes for the Lease and provisions while holding it.
   *
   * @param client the API client
   * @param namespace the Lease's namespace (the controller's)
   * @param driver the driver name
   * @param identity this candidate's identity (the pod name)
   * @param timing the Lease's timings
   * @param factory makes the provisioner when this candidate wins
   * @param onLost called when the Lease is lost (not on {@link #close})
   * @return the running election
   */
  public static ProvisionerElection start(
      KubernetesClient client,
      String namespace,
      String driver,
      String identity,
      Timing timing,
      Supplier<Provisioner> factory,
      Runnable onLost) {
    return new ProvisionerElection(client, namespace, driver, identity, timing, factory, onLost);
  }

  /**
   * The Lease name for a driver, as external-provisioner sanitizes it.
   *
   * @param driver the driver name
   * @return e.g. {@code csi-vineyard-v6d-io}
   */
  public static String leaseName(String driver) {
    return driver.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
  }

  /**
   * Whether this candidate provisions now.
   *
   * @return true while leading
   */
  public synchronized boolean leading() {
    return provisioner != null;
  }

  private synchronized void started() {
    if (closing) {
      return;
    }
    LOG.info("{} leads: provisioning starts", identity);
    provisioner = factory.get();
    provisioner.start();
  }

  private void stopped() {
    boolean lost;
    synchronized (this) {
      if (provisioner != null) {
        provisioner.close();
        provisioner = null;
      }
      lost = !closing;
    }
    if (lost) {
      LOG.error("{} lost the provisioner Lease", identity);
      onLost.run();
    }
  }

  private void newLeader(String leader) {
    LOG.info("the provisioner leader is {}", leader);
  }

  /** Stops provisioning and releases the Lease. */
  @Override
  public void close() {
    synchronized (this) {
      closing = true;
    }
    running.cancel(true);
    synchronized (this) {
      if (provisioner != null) {
        provisioner.close();
        provisioner = null;
      }
    }
  }
}
