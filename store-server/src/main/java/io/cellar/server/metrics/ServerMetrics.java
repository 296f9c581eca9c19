package io.cellar.server.metrics;

import io.cellar.core.Store;
import io.cellar.core.StoreStatus;
import io.cellar.server.command.CommandDispatcher;
import io.cellar.server.command.ServerCounters;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The server's meters in a Prometheus registry: store memory used and limit, the memory backing
 * ({@code vineyard_memory_backing{backing="huge_tmpfs"} 1}), objects and blobs, open connections
 * per transport, parked requests, error replies by status code ({@link #errorReplies()}, always
 * counted), and a timer per command and outcome (count, total and max latency; fed only when the
 * server exports its metrics, see {@code VineyardServer}).
 *
 * <p>Thread-safe: observed from event loops and workers, scraped from the HTTP thread. Store gauges
 * read one status snapshot, cached for 100 ms, per scrape.
 */
public final class ServerMetrics implements CommandDispatcher.RequestObserver {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentHashMap<String, Timer> ok = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> failed = new ConcurrentHashMap<>();
  private final ErrorReplyCounter errorReplies = new ErrorReplyCounter(registry);
  private final Store store;
  private volatile StoreStatus cached;
  private volatile long cachedAt;

  /**
   * Meters over a store and the server's counters.
   *
   * @param store the store
   * @param counters the server's counters
   */
  public ServerMetrics(Store store, ServerCounters counters) {
    this.store = store;
    storeGauge("vineyard_memory_usage_bytes", "Bytes of blobs in memory", StoreStatus::memoryUsage);
    storeGauge("vineyard_memory_limit_bytes", "The memory limit", StoreStatus::memoryLimit);
    storeGauge("vineyard_objects", "Metadata objects", StoreStatus::objects);
    storeGauge("vineyard_blobs", "Blobs, sealed or not", StoreStatus::blobs);
    storeGauge("vineyard_spilled_blobs", "Blobs in spill files", StoreStatus::spilledBlobs);
    Gauge.builder("vineyard_memory_backing", () -> 1)
        .tag("backing", store.status().memoryBacking())
        .description("What holds the shared memory (1 for the backing in use)")
        .register(registry);
    Gauge.builder("vineyard_connections", counters, c -> c.ipcConnections().get())
        .tag("transport", "ipc")
        .description("Open connections")
        .register(registry);
    Gauge.builder("vineyard_connections", counters, c -> c.rpcConnections().get())
        .tag("transport", "rpc")
        .description("Open connections")
        .register(registry);
    Gauge.builder("vineyard_deferred_requests", counters, c -> c.deferredRequests().get())
        .description("Requests parked until their object or name exists")
        .register(registry);
  }

  private void storeGauge(String name, String help, ToDoubleFunction<StoreStatus> f) {
    Gauge.builder(name, this, m -> f.applyAsDouble(m.status()))
        .description(help)
        .register(registry);
  }

  private StoreStatus status() {
    long now = System.nanoTime();
    StoreStatus s = cached;
    if (s == null || now - cachedAt > TimeUnit.MILLISECONDS.toNanos(100)) {
      s = store.status();
      cached = s;
      cachedAt = now;
    }
    return s;
  }

  @Override
  public void observe(String command, long nanos, boolean failedRequest) {
    ConcurrentHashMap<String, Timer> timers = failedRequest ? failed : ok;
    Timer t = timers.get(command);
    if (t == null) {
      t =
          timers.computeIfAbsent(
              command,
              c ->
                  Timer.builder("vineyard_requests")
                      .description("Requests served, by command and outcome")
                      .tag("command", c)
                      .tag("outcome", failedRequest ? "error" : "ok")
                      .register(registry));
    }
    t.record(Duration.ofNanos(nanos));
  }

  /**
   * The counters of error replies, by status code.
   *
   * @return the counters, in this registry
   */
  public ErrorReplyCounter errorReplies() {
    return errorReplies;
  }

  /**
   * The Prometheus text exposition of every meter.
   *
   * @return the scrape body
   */
  public String scrape() {
    return registry.scrape();
  }
}
