package io.cellar.bench.load;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Latencies by operation name, in microseconds: one instance per client while it runs, merged into
 * one for the report.
 *
 * <p>Not thread-safe: one client records into its own; {@link #merge} runs after the clients end.
 */
final class OpTimes {
  private final Map<String, long[]> times = new TreeMap<>();
  private final Map<String, Integer> counts = new TreeMap<>();

  /**
   * Records one operation.
   *
   * @param op the operation name
   * @param micros its latency in microseconds
   */
  void add(String op, long micros) {
    long[] t = times.computeIfAbsent(op, k -> new long[1024]);
    int n = counts.getOrDefault(op, 0);
    if (n == t.length) {
      t = Arrays.copyOf(t, n * 2);
      times.put(op, t);
    }
    t[n] = micros;
    counts.put(op, n + 1);
  }

  /**
   * Adds every latency of another.
   *
   * @param other the other record
   */
  void merge(OpTimes other) {
    other.counts.forEach(
        (op, n) -> {
          long[] t = other.times.get(op);
          for (int i = 0; i < n; i++) {
            add(op, t[i]);
          }
        });
  }

  /**
   * The report: one markdown row per operation with count, p50, p99 and max.
   *
   * @param seconds the run's length, for the rate
   * @return the table
   */
  String table(double seconds) {
    StringBuilder b = new StringBuilder();
    b.append("| operation | count | per s | p50 | p99 | max |\n|---|---|---|---|---|---|\n");
    counts.forEach(
        (op, n) -> {
          long[] t = Arrays.copyOf(times.get(op), n);
          Arrays.sort(t);
          b.append(
              String.format(
                  "| %s | %d | %.0f | %s | %s | %s |%n",
                  op,
                  n,
                  n / seconds,
                  micros(t[(int) Math.min(n - 1, Math.floor(n * 0.50))]),
                  micros(t[(int) Math.min(n - 1, Math.floor(n * 0.99))]),
                  micros(t[n - 1])));
        });
    return b.toString();
  }

  private static String micros(long us) {
    return us >= 10_000 ? String.format("%.1f ms", us / 1000.0) : us + " µs";
  }
}
