package io.cellar.server.command;

import io.cellar.protocol.Payload;
import java.util.List;

/**
 * What a handler sees of the connection it serves: its store owner, its transport, its
 * registration, and the arena fds its replies must pass. Implemented by {@link ConnectionSession}.
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
   * The arena fds a reply carrying these payloads must pass (reference §3.3): for each payload with
   * {@code data_size > 0}, in order, its arena if this connection has not been sent it yet, once
   * each ({@link io.cellar.protocol.FdAnnouncement#due}), with the file descriptor behind each key
   * already resolved. The arenas are recorded as sent. Always empty on RPC.
   *
   * @param payloads the payloads of the reply, in reply order
   * @return the keys to announce and the fds to pass after the reply, in sending order
   * @throws io.cellar.protocol.CellarException when an arena key is unknown to the store (then
   *     nothing is recorded)
   */
  ArenaFds arenasToPass(List<Payload> payloads);
}
