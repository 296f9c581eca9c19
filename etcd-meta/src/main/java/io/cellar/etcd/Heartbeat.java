package io.cellar.etcd;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference's heartbeat, kept for reference neighbours: every interval (10 s by default, the
 * reference's HEARTBEAT_TIME) the instance rewrites its {@code /instances/i<N>/timestamp} (on its
 * lease, so the key still vanishes with it), then runs a {@link StaleInstanceReaper} check. A
 * reference instance declares a neighbour dead after 3 unchanged timestamps, so a live Cellar
 * instance must keep writing it even though Cellar instances judge each other by leases.
 *
 * <p>Thread-safe; the work runs on the backend thread.
 */
final class Heartbeat {
  private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);

  private final EtcdCalls calls;
  private final KeyLayout layout;
  private final ScheduledExecutorService scheduler;
  private final Duration interval;
  private final StaleInstanceReaper reaper;
  private ScheduledFuture<?> task;

  Heartbeat(
      EtcdCalls calls,
      KeyLayout layout,
      ScheduledExecutorService scheduler,
      Duration interval,
      StaleInstanceReaper reaper) {
    this.calls = calls;
    this.layout = layout;
    this.scheduler = scheduler;
    this.interval = interval;
    this.reaper = reaper;
  }

  /**
   * Starts beating for an instance.
   *
   * @param instanceId supplies the current instance id
   * @param lease supplies the current lease (0: skip the write)
   */
  synchronized void start(LongSupplier instanceId, LongSupplier lease) {
    stop();
    long period = interval.toMillis();
    task =
        scheduler.scheduleAtFixedRate(
            () -> beat(instanceId.getAsLong(), lease.getAsLong()),
            period,
            period,
            TimeUnit.MILLISECONDS);
  }

  /** Stops beating. */
  synchronized void stop() {
    if (task != null) {
      task.cancel(false);
      task = null;
    }
  }

  private void beat(long instanceId, long lease) {
    if (lease != 0) {
      EtcdWrite w = InstanceFields.timestamp(layout, instanceId);
      calls
          .put(w.key(), w.value(), lease, interval)
          .whenComplete(
              (r, t) -> {
                if (t != null) {
                  LOG.debug("heartbeat failed: {}", Committer.unwrap(t).toString());
                }
              });
    }
    reaper.check();
  }
}
