package io.cellar.server.command;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Live counters of the server that {@code instance_status} and the metrics report: open connections
 * per transport and parked requests. Error replies are counted by {@link RequestFailures}.
 *
 * <p>Thread-safe (atomics); updated from event loops and workers.
 */
public final class ServerCounters {
  private final AtomicLong ipcConnections = new AtomicLong();
  private final AtomicLong rpcConnections = new AtomicLong();
  private final AtomicLong deferredRequests = new AtomicLong();

  /** Zeroed counters. */
  public ServerCounters() {}

  /**
   * The counter of open IPC connections.
   *
   * @return the counter
   */
  public AtomicLong ipcConnections() {
    return ipcConnections;
  }

  /**
   * The counter of open RPC connections.
   *
   * @return the counter
   */
  public AtomicLong rpcConnections() {
    return rpcConnections;
  }

  /**
   * The counter of requests parked until their condition holds.
   *
   * @return the counter
   */
  public AtomicLong deferredRequests() {
    return deferredRequests;
  }
}
