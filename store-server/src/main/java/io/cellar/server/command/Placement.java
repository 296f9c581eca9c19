package io.cellar.server.command;

import io.cellar.server.protocol.Request;

/**
 * Decides where a request runs: on the connection's event loop (short work, lowest latency) or on
 * the worker pool (work that may populate pages or touch spill files).
 *
 * <p>Implementations are stateless and thread-safe.
 */
@FunctionalInterface
public interface Placement {
  /** Every request runs on the event loop. */
  Placement LOOP = r -> false;

  /** Every request runs on the worker pool. */
  Placement WORKER = r -> true;

  /**
   * Whether the request should run on the worker pool.
   *
   * @param request the request
   * @return true to offload
   */
  boolean onWorker(Request request);
}
