package io.cellar.server.command;

import io.cellar.protocol.Payload;
import java.util.List;

/**
 * What a handler sees of the connection it serves: its store owner, its transport and its
 * registration, and which arena fds it has already been sent.
 *
 * <p>Used by one thread at a time: the connection's event loop, or the worker running this
 * connection's one request in flight (the hand-off through the executor orders the accesses).
 * {@link #owner()} and {@link #isRpc()} are fixed for the connection's life.
 */
public interface Connection {
  /**
   * The store owner holding this connection's blob references.
   *
   * @return the owner token
   */
  long owner();

  /**
   * Whether this is a TCP (RPC) connection, which cannot receive fds.
   *
   * @return true for RPC
   */
  boolean isRpc();

  /**
   * Whether {@code register_request} has succeeded on this connection.
   *
   * @return true once registered
   */
  boolean registered();

  /** Marks the connection registered. */
  void markRegistered();

  /**
   * The arena keys this reply must pass: for each payload with {@code data_size > 0}, in order, its
   * {@code store_fd} if not yet sent on this connection, deduplicated. The keys are recorded as
   * sent. Always empty on RPC.
   *
   * @param payloads the payloads of the reply, in reply order
   * @return the keys to announce and pass, in sending order
   */
  int[] takeNewStoreFds(List<Payload> payloads);
}
