package io.cellar.server.warmup;

import io.cellar.core.Store;
import io.cellar.core.config.StoreConfig;
import io.cellar.server.ServerConfig;
import io.cellar.server.VineyardServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small store served by a {@link VineyardServer} on a socket in a private temporary directory
 * (mode 0700, socket 0600) and, when asked, on a loopback TCP port: what the warm-up talks to.
 * Nothing of it is reachable through the daemon's real socket or port, and nothing survives {@link
 * #close()}: the server, the store (its shared memory) and the directory go. A shutdown hook does
 * the same when the JVM ends first (a signal during the warm-up); a directory made while the JVM is
 * already shutting down is removed at once.
 *
 * <p>Thread-safe: started by one thread; {@link #close()} may come from it or from the shutdown
 * hook, once.
 */
final class ThrowawayServer implements AutoCloseable {
  /** The throwaway store's memory limit. */
  static final long STORE_SIZE = 64L << 20;

  private static final String SOCKET_NAME = "warmup.sock";

  private final Path dir;
  private final Thread cleanup = new Thread(this::close, "cellar-warmup-cleanup");
  private Store store;
  private VineyardServer server;
  private boolean closed;
  private boolean closedByShutdown;

  private ThrowawayServer(Path dir) {
    this.dir = dir;
  }

  /**
   * Opens the store and starts serving it.
   *
   * @param rpc whether to serve a loopback TCP port too
   * @return the running server, owned by the caller
   * @throws ShuttingDownException when the JVM is shutting down
   * @throws IOException when the directory or the socket cannot be set up
   */
  static ThrowawayServer start(boolean rpc) throws IOException {
    ThrowawayServer t = new ThrowawayServer(Files.createTempDirectory("cellar-warmup-"));
    try {
      Runtime.getRuntime().addShutdownHook(t.cleanup);
    } catch (IllegalStateException e) {
      t.removeDirectory();
      throw new ShuttingDownException(e);
    }
    try {
      t.open(rpc);
    } catch (IOException | RuntimeException e) {
      t.close();
      throw e;
    }
    return t;
  }

  private synchronized void open(boolean rpc) throws IOException {
    if (closed) {
      throw new ShuttingDownException(null); // the shutdown hook ran before the server opened
    }
    store = Store.open(StoreConfig.ofLimit(STORE_SIZE));
    ServerConfig config =
        new ServerConfig(
            dir.resolve(SOCKET_NAME).toString(),
            0600,
            rpc,
            "127.0.0.1",
            0,
            "local",
            -1,
            1,
            1,
            ServerConfig.DEFAULT_SPIN_MICROS,
            false,
            null);
    server = VineyardServer.start(config, store);
  }

  /**
   * The private socket.
   *
   * @return its path
   */
  synchronized Path socket() {
    return server.ipcSocket();
  }

  /**
   * The loopback TCP port.
   *
   * @return the port, or -1 when not serving TCP
   */
  synchronized int rpcPort() {
    return server.rpcPort();
  }

  /**
   * The throwaway server, for tests of the script.
   *
   * @return the server
   */
  synchronized VineyardServer server() {
    return server;
  }

  /**
   * The throwaway store, for tests of the script.
   *
   * @return the store
   */
  synchronized Store store() {
    return store;
  }

  /**
   * Stops the server (its connections close), closes the store, removes the directory. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    closedByShutdown = Thread.currentThread() == cleanup;
    if (!closedByShutdown) {
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException e) {
        // shutting down: the hook may run too and finds this closed
      }
    }
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      try {
        if (store != null) {
          store.close();
        }
      } finally {
        removeDirectory();
      }
    }
  }

  /**
   * Whether the shutdown hook closed this server (the JVM is ending: a signal, or the daemon's own
   * exit), rather than its owner.
   *
   * @return true once the hook has closed it
   */
  synchronized boolean closedByShutdown() {
    return closedByShutdown;
  }

  private void removeDirectory() {
    try {
      Files.deleteIfExists(dir.resolve(SOCKET_NAME));
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
  }

  /** The JVM is shutting down: no throwaway server can be started any more. */
  static final class ShuttingDownException extends IOException {
    private static final long serialVersionUID = 1L;

    ShuttingDownException(Throwable cause) {
      super("the JVM is shutting down", cause);
    }
  }
}
