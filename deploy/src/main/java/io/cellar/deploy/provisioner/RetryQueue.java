package io.cellar.deploy.provisioner;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A work queue of keys handled one at a time on one worker thread: a key added while queued is
 * queued once; a key whose handler fails (returns false or throws) comes back after an exponential
 * backoff (from {@code initialBackoff}, doubled up to {@code maxBackoff}), and a success forgets
 * its failures. Threading: {@link #add} from any thread; the handler runs only on the worker
 * thread.
 */
final class RetryQueue implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RetryQueue.class);

  private final ScheduledExecutorService worker;
  private final Predicate<String> handler;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Set<String> queued = new LinkedHashSet<>();
  private final Map<String, Integer> failures = new HashMap<>();

  RetryQueue(String name, Predicate<String> handler, Duration initialBackoff, Duration maxBackoff) {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name(name).daemon(true).factory());
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.worker = executor;
    this.handler = handler;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
  }

  /** Queues a key now. */
  void add(String key) {
    synchronized (queued) {
      if (!queued.add(key)) {
        return;
      }
    }
    submit(key, 0);
  }

  private void submit(String key, long delayMillis) {
    if (worker.isShutdown()) {
      return;
    }
    try {
      worker.schedule(() -> run(key), delayMillis, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing
    }
  }

  private void run(String key) {
    synchronized (queued) {
      queued.remove(key);
    }
    boolean done;
    try {
      done = handler.test(key);
    } catch (RuntimeException e) {
      LOG.warn("{}: {}", key, e.toString(), e);
      done = false;
    }
    if (done) {
      failures.remove(key);
      return;
    }
    int attempt = failures.merge(key, 1, Integer::sum);
    long delay =
        Math.min(maxBackoff.toMillis(), initialBackoff.toMillis() << Math.min(attempt - 1, 20));
    synchronized (queued) {
      if (!queued.add(key)) {
        return; // an event queued it again meanwhile
      }
    }
    submit(key, delay);
  }

  @Override
  public void close() {
    worker.shutdownNow();
    try {
      worker.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
