package io.cellar.server.metrics;

import io.cellar.core.Store;
import io.cellar.server.command.CommandDispatcher;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference's {@code --prometheus} (and {@code --metrics}): metric lines in the log, in the
 * format of its {@code LOG_SUMMARY} and {@code LOG_COUNTER} ({@code src/server/util/metrics.h}),
 * {@code <user> <label> <metric> <value>}, for a log-scraping exporter. Like the reference it logs
 * {@code data_request_duration_microseconds} and {@code data_requests_total} for the data requests
 * (labels {@code create}, {@code get}, {@code delete}) and {@code instances_memory_usage_bytes}
 * (label: the instance id) after each request that changes blob memory. The user is {@code $USER},
 * else {@code v6d}.
 *
 * <p>Thread-safe: observed from event loops and workers.
 */
public final class MetricLog implements CommandDispatcher.RequestObserver {
  private static final Logger LOG = LoggerFactory.getLogger(MetricLog.class);
  private static final Map<String, String> DATA_LABELS =
      Map.of(
          "create_data_request", "create",
          "get_data_request", "get",
          "del_data_request", "delete");
  private static final Set<String> MEMORY_COMMANDS =
      Set.of(
          "create_buffer_request",
          "create_remote_buffer_request",
          "create_disk_buffer_request",
          "drop_buffer_request",
          "release_request",
          "del_data_request",
          "shrink_buffer_request");

  private final Store store;
  private final String user;
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  /**
   * Metric lines about a store.
   *
   * @param store the store whose memory usage is logged
   */
  public MetricLog(Store store) {
    this.store = store;
    String u = System.getenv("USER");
    this.user = u == null || u.isEmpty() ? "v6d" : u;
  }

  @Override
  public void observe(String command, long nanos, boolean failed) {
    String label = DATA_LABELS.get(command);
    if (label != null) {
      LongAdder n = counts.computeIfAbsent(label, l -> new LongAdder());
      n.increment();
      LOG.info("{} {} data_request_duration_microseconds {}", user, label, nanos / 1000);
      LOG.info("{} {} data_requests_total {}", user, label, n.sum());
    }
    if (MEMORY_COMMANDS.contains(command)) {
      LOG.info(
          "{} {} instances_memory_usage_bytes {}",
          user,
          Long.toUnsignedString(store.instanceId()),
          store.status().memoryUsage());
    }
  }
}
