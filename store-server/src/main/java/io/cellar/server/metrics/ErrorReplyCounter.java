package io.cellar.server.metrics;

import io.cellar.protocol.StatusCode;
import io.cellar.server.command.RequestFailures;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Counts the error replies the server sends, one Micrometer counter per status code: {@code
 * vineyard_error_replies_total{code="1",status="INVALID"}} in the Prometheus exposition. A code's
 * counter is registered the first time it is answered, so only codes that occurred show up.
 *
 * <p>Thread-safe: counted from event loops and workers; two threads registering the same code get
 * the same meter (Micrometer's registration is idempotent).
 */
public final class ErrorReplyCounter implements RequestFailures.Counter {
  /** The meter name. */
  public static final String NAME = "vineyard_error_replies";

  private final MeterRegistry registry;
  private final AtomicReferenceArray<Counter> byCode = new AtomicReferenceArray<>(256);

  /**
   * Counters registered in a registry.
   *
   * @param registry where the counters live
   */
  public ErrorReplyCounter(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void count(StatusCode code) {
    counter(code).increment();
  }

  /**
   * Error replies sent with a code since start.
   *
   * @param code the status code
   * @return the count
   */
  public long sentWith(StatusCode code) {
    Counter c = byCode.get(code.code());
    return c == null ? 0 : (long) c.count();
  }

  /**
   * Error replies sent since start, whatever their code.
   *
   * @return the count
   */
  public long total() {
    long sum = 0;
    for (int i = 0; i < byCode.length(); i++) {
      Counter c = byCode.get(i);
      if (c != null) {
        sum += (long) c.count();
      }
    }
    return sum;
  }

  private Counter counter(StatusCode code) {
    Counter c = byCode.get(code.code());
    if (c == null) {
      c =
          Counter.builder(NAME)
              .description("Requests answered with an error reply, by status code")
              .tag("code", Integer.toString(code.code()))
              .tag("status", code.name())
              .register(registry);
      byCode.set(code.code(), c);
    }
    return c;
  }
}
