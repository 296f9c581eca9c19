package io.cellar.etcd;

import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the instance's lease alive: a keep-alive every third of the TTL (as etcd's own clients do),
 * each bounded by that third. The lease counts as held while the last successful keep-alive is
 * younger than the TTL. When etcd answers that the lease is gone (it expired while this process was
 * paused or cut off, or etcd lost its data) the lost action runs, once per lease.
 *
 * <p>Thread-safe; keep-alives are scheduled on the backend thread and their answers handled on
 * jetcd's threads.
 */
final class LeaseKeeper {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

  private final EtcdCalls calls;
  private final ScheduledExecutorService scheduler;
  private final Duration ttl;
  private final Runnable onLost;
  private volatile long lease;
  private volatile long lastAliveNanos;
  private ScheduledFuture<?> task;

  LeaseKeeper(EtcdCalls calls, ScheduledExecutorService scheduler, Duration ttl, Runnable onLost) {
    this.calls = calls;
    this.scheduler = scheduler;
    this.ttl = ttl;
    this.onLost = onLost;
  }

  /**
   * Starts keeping a lease alive (stops the previous one's keep-alives).
   *
   * @param leaseId the lease, just granted
   */
  synchronized void start(long leaseId) {
    stop();
    lease = leaseId;
    lastAliveNanos = System.nanoTime();
    long period = Math.max(100, ttl.toMillis() / 3);
    task =
        scheduler.scheduleAtFixedRate(
            () -> keepAlive(leaseId), period, period, TimeUnit.MILLISECONDS);
  }

  /** Stops the keep-alives (the lease then expires on its own, unless revoked). */
  synchronized void stop() {
    if (task != null) {
      task.cancel(false);
      task = null;
    }
    lease = 0;
  }

  /**
   * The lease kept alive.
   *
   * @return the lease id, 0 when none
   */
  long lease() {
    return lease;
  }

  /**
   * Whether the lease is held: a keep-alive succeeded within the TTL.
   *
   * @return true while held
   */
  boolean held() {
    return lease != 0 && System.nanoTime() - lastAliveNanos < ttl.toNanos();
  }

  private void keepAlive(long leaseId) {
    if (lease != leaseId) {
      return;
    }
    calls
        .keepAliveOnce(leaseId, Duration.ofMillis(Math.max(100, ttl.toMillis() / 3)))
        .whenComplete(
            (response, failure) -> {
              if (lease != leaseId) {
                return;
              }
              if (failure == null) {
                lastAliveNanos = System.nanoTime();
                return;
              }
              Throwable cause = Committer.unwrap(failure);
              if (cause instanceof EtcdException e && e.getErrorCode() == ErrorCode.NOT_FOUND) {
                LOG.warn("lease {} is gone: registering again", Long.toHexString(leaseId));
                synchronized (this) {
                  if (lease == leaseId) {
                    stop();
                    onLost.run();
                  }
                }
              } else {
                LOG.debug(
                    "keep-alive of lease {} failed: {}",
                    Long.toHexString(leaseId),
                    cause.toString());
              }
            });
  }
}
