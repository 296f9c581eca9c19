package io.cellar.server.warmup;

import io.cellar.core.Store;
import io.cellar.core.StoreConfig;
import io.cellar.server.ServerConfig;
import io.cellar.server.VineyardServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small store served by a {@link VineyardServer} on a socket in a private temporary directory
 * (mode 0700, socket 0600) and, when asked, on a loopback TCP port: what the warm-up talks to.
 * Nothing of it is reachable through the daemon's real socket or port, and nothing survives {@link
 * #close()}: the server, the store (its shared memory) and the directory go.
 *
 * <p>Thread-safe as {@link VineyardServer} is; started and closed by one thread. The directory and
 * socket are also registered for deletion at JVM exit, for a signal that comes during the warm-up.
 */
final class ThrowawayServer implements AutoCloseable {
  /** The throwaway store's memory limit. */
  static final long STORE_SIZE = 64L << 20;

  private final Path dir;
  private final Store store;
  private final VineyardServer server;

  private ThrowawayServer(Path dir, Store store, VineyardServer server) {
    this.dir = dir;
    this.store = store;
    this.server = server;
  }

  /**
   * Opens the store and starts serving it.
   *
   * @param rpc whether to serve a loopback TCP port too
   * @return the running server, owned by the caller
   * @throws IOException when the directory or the socket cannot be set up
   */
  static ThrowawayServer start(boolean rpc) throws IOException {
    Path dir = Files.createTempDirectory("cellar-warmup-");
    Path socket = dir.resolve("warmup.sock");
    dir.toFile().deleteOnExit();
    socket.toFile().deleteOnExit(); // deleted before its directory (reverse order)
    Store store = null;
    try {
      store = Store.open(StoreConfig.ofLimit(STORE_SIZE));
      ServerConfig config =
          new ServerConfig(
              socket.toString(),
              0600,
              rpc,
              "127.0.0.1",
              0,
              "local",
              -1,
              1,
              1,
              ServerConfig.DEFAULT_SPIN_MICROS);
      return new ThrowawayServer(dir, store, VineyardServer.start(config, store));
    } catch (IOException | RuntimeException e) {
      if (store != null) {
        store.close();
      }
      Files.deleteIfExists(dir);
      throw e;
    }
  }

  /**
   * The private socket.
   *
   * @return its path
   */
  Path socket() {
    return server.ipcSocket();
  }

  /**
   * The loopback TCP port.
   *
   * @return the port, or -1 when not serving TCP
   */
  int rpcPort() {
    return server.rpcPort();
  }

  /**
   * The throwaway server, for tests of the script.
   *
   * @return the server
   */
  VineyardServer server() {
    return server;
  }

  /**
   * The throwaway store, for tests of the script.
   *
   * @return the store
   */
  Store store() {
    return store;
  }

  /** Stops the server (its connections close), closes the store, removes the directory. */
  @Override
  public void close() {
    try {
      server.close();
    } finally {
      try {
        store.close();
      } finally {
        try {
          Files.deleteIfExists(dir.resolve("warmup.sock"));
          Files.deleteIfExists(dir);
        } catch (IOException e) {
          // a temporary directory left behind is harmless; it is also deleted at exit
        }
      }
    }
  }
}
