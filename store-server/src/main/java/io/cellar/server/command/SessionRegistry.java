package io.cellar.server.command;

import io.cellar.core.Store;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opens the sessions of one server and remembers those not closed yet, so that stopping the server
 * closes every one of them. A connection normally closes its session when its channel goes
 * inactive; but a client that hangs up while the event loops are stopping can have that event
 * dropped (the stopping loop refuses the task that would deliver it), and its store owner, with its
 * references and unsealed blobs, would stay open.
 *
 * <p>Thread-safe.
 */
public final class SessionRegistry implements ConnectionSession.Opener {
  private final Store store;
  private final Set<ConnectionSession> open = ConcurrentHashMap.newKeySet();

  /**
   * A registry over a store.
   *
   * @param store the store whose owners the sessions hold
   */
  public SessionRegistry(Store store) {
    this.store = store;
  }

  @Override
  public ConnectionSession open(boolean rpc) {
    ConnectionSession session = new ConnectionSession(store, rpc, store.openOwner(), open::remove);
    open.add(session);
    return session;
  }

  /**
   * How many sessions are open.
   *
   * @return the count
   */
  public int openCount() {
    return open.size();
  }

  /**
   * Closes every session still open; called once the event loops have stopped, so no loop uses them
   * any more.
   *
   * @return how many were closed here
   */
  public int closeAll() {
    List<ConnectionSession> left = List.copyOf(open);
    for (ConnectionSession session : left) {
      session.close();
    }
    return left.size();
  }
}
