package io.cellar.server.command;

import io.cellar.core.Store;
import io.cellar.protocol.FdAnnouncement;
import io.cellar.protocol.Payload;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One connection's session in the command layer: the store owner that holds the connection's blob
 * references, whether it has registered, and the ledger of arenas whose fds it has already been
 * sent. Handlers see it as a {@link Connection}. The transport opens one per accepted connection
 * (through an {@link Opener}, so it never holds the store), hands it to the dispatcher with each
 * request, and closes it when the connection has ended and no request of it is still running.
 *
 * <p>Threading: used by one thread at a time (the connection's event loop, or the worker running
 * its one request in flight; the executor hand-off orders the accesses). Ownership: owns its store
 * owner token from {@link #open} to {@link #close()}; closing drops the connection's references and
 * reclaims its unsealed blobs.
 */
public final class ConnectionSession implements Connection, AutoCloseable {
  /** Opens sessions over one store; what the transport is given instead of the store. */
  @FunctionalInterface
  public interface Opener {
    /**
     * Opens a session for a new connection.
     *
     * @param rpc whether the connection is TCP (RPC)
     * @return the session, owned by the caller
     * @throws io.cellar.protocol.CellarException when the store cannot open an owner
     */
    ConnectionSession open(boolean rpc);
  }

  private final Store store;
  private final boolean rpc;
  private final long owner;
  private final Set<Integer> sentArenas = new HashSet<>();
  private final Consumer<ConnectionSession> onClose;
  private boolean registered;
  private boolean closed;

  ConnectionSession(Store store, boolean rpc, long owner, Consumer<ConnectionSession> onClose) {
    this.store = store;
    this.rpc = rpc;
    this.owner = owner;
    this.onClose = onClose;
  }

  /**
   * Opens a session with a new store owner.
   *
   * @param store the store the connection's requests use
   * @param rpc whether the connection is TCP (RPC)
   * @return the session, owned by the caller
   * @throws io.cellar.protocol.CellarException when the store cannot open an owner
   */
  public static ConnectionSession open(Store store, boolean rpc) {
    return new ConnectionSession(store, rpc, store.openOwner(), session -> {});
  }

  /**
   * An opener over a store.
   *
   * @param store the store
   * @return an opener of sessions over it
   */
  public static Opener openerFor(Store store) {
    return rpc -> open(store, rpc);
  }

  @Override
  public long owner() {
    return owner;
  }

  @Override
  public boolean isRpc() {
    return rpc;
  }

  @Override
  public boolean registered() {
    return registered;
  }

  @Override
  public void markRegistered() {
    registered = true;
  }

  @Override
  public ArenaFds arenasToPass(List<Payload> payloads) {
    if (rpc) {
      return ArenaFds.NONE;
    }
    int[] keys = FdAnnouncement.due(payloads, sentArenas::contains);
    if (keys.length == 0) {
      return ArenaFds.NONE;
    }
    int[] fds = new int[keys.length];
    for (int i = 0; i < keys.length; i++) {
      fds[i] = store.arenaFileDescriptor(keys[i]);
    }
    for (int key : keys) {
      sentArenas.add(key);
    }
    return new ArenaFds(keys, fds);
  }

  /**
   * Closes the store owner: the connection's references go, its unsealed blobs are reclaimed.
   * Idempotent; safe from any thread (the server closes what its stopped loops left open).
   */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      try {
        store.closeOwner(owner);
      } finally {
        onClose.accept(this);
      }
    }
  }
}
