package io.cellar.server.daemon;

import io.cellar.core.Store;
import io.cellar.core.StoreReport;
import io.cellar.core.meta.backend.InstanceFacts;
import io.cellar.core.meta.backend.MetaBackend;
import io.cellar.core.meta.backend.MetaBackends;
import io.cellar.protocol.VineyardVersion;
import io.cellar.server.ServerConfig;
import io.cellar.server.VineyardServer;
import io.cellar.server.cli.DaemonOptions;
import io.cellar.server.cli.UsageException;
import io.cellar.server.ipc.SocketFile;
import io.cellar.server.warmup.StartupWarmup;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code vineyardd} entry point: parses vineyardd's flags, checks the socket path, warms up
 * (against a throwaway store on a private socket, {@link StartupWarmup}, unless {@code
 * --nowarmup}), opens the store, starts the server (its socket file appears only now, ready to
 * serve), and on SIGTERM or SIGINT stops accepting, closes every connection, removes the socket
 * file and exits 0 (a second signal, or a shutdown over {@code TerminationSignals.FORCE_AFTER},
 * exits at once with 128 + signal number). Exit 2 for a bad command line, 1 when the store or a
 * socket cannot be set up (among them a metadata backend that cannot be reached within {@code
 * --meta_timeout}). The backend is the one {@code --meta} names, found through {@link
 * MetaBackends}; the store registers with it before the socket appears. A signal that comes before
 * the server is started (during the warm-up or while the store opens) ends the process the JVM's
 * default way, with 128 + signal number; nothing is listening yet, and the warm-up's private
 * directory is deleted at exit.
 *
 * <p>Runs on the main thread; the shutdown hook runs on the JVM's hook thread.
 */
public final class Vineyardd {
  /**
   * The environment variable that makes a run a class-data training run: the daemon warms up and
   * starts as usual, then exits through the JVM's normal exit (which writes an {@code
   * -XX:ArchiveClassesAtExit} archive); signals still end it at once.
   */
  public static final String TRAINING_ENV = "CELLAR_CDS_TRAINING";

  private Vineyardd() {}

  /**
   * Runs the daemon until a signal stops it.
   *
   * @param args vineyardd's flags
   */
  public static void main(String[] args) {
    setLogDefaults();
    if (DaemonOptions.wantsHelp(args)) {
      System.out.print(DaemonOptions.help());
      System.exit(0);
    }
    if (DaemonOptions.wantsVersion(args)) {
      System.out.println(DaemonOptions.versionLine());
      System.exit(0);
    }
    DaemonOptions options;
    try {
      options = DaemonOptions.parse(args);
    } catch (UsageException e) {
      System.err.println("vineyardd: " + e.getMessage());
      System.err.println("Try 'vineyardd --help' for the list of flags.");
      System.exit(2);
      return;
    }
    try {
      LogSetup.apply(options.logging());
    } catch (IOException e) {
      System.err.println(
          "vineyardd: cannot write the log in --log_dir=" + options.logging().logDir() + ": " + e);
      System.exit(1);
      return;
    }
    Logger log = LoggerFactory.getLogger(Vineyardd.class);
    log.info("Hello vineyard v{}! (Cellar)", VineyardVersion.VALUE);
    ServerConfig serverConfig = options.serverConfig();
    Path socket;
    try {
      // before the warm-up: a path that cannot be used fails the start at once
      socket = SocketFile.choose(serverConfig.socket());
    } catch (IOException e) {
      log.error("cannot start: {}", e.getMessage());
      System.exit(1);
      return;
    }
    // a launcher's class-data training run (bin/vineyardd): start as usual, warm-up included,
    // then a normal JVM exit so that -XX:ArchiveClassesAtExit writes the archive later launches map
    boolean training = "1".equals(System.getenv(TRAINING_ENV));
    if (options.warmup() || training) {
      StartupWarmup.run(serverConfig.rpc());
    }
    Store store;
    InstanceFacts facts;
    ServerConfig bound = serverConfig.withSocket(socket.toString());
    try {
      facts = VineyardServer.instanceFacts(bound);
      // the backend --meta names, found through a ServiceLoader; it registers this instance
      // (bounded by --meta_timeout) before the socket appears
      MetaBackend backend = MetaBackends.open(options.meta(), options.metaOptions());
      store = Store.open(options.storeConfig(), backend, facts);
    } catch (IOException | RuntimeException e) {
      log.error(
          "cannot open the store (--meta={}): {}",
          options.meta(),
          e instanceof RuntimeException r
              ? StoreOpenFailure.describe(r, options.memoryLimit())
              : e.getMessage());
      System.exit(1);
      return;
    }
    if (!options.meta().equals("local")) {
      log.info(
          "joined the cluster on --meta={} as instance i{} ({} instances registered)",
          options.meta(),
          store.instanceId(),
          store.instances().size());
    }
    VineyardServer server;
    try {
      server = VineyardServer.start(bound, store, facts);
    } catch (Exception e) {
      log.error("cannot start: {}", e.getMessage());
      closeQuietly(store);
      System.exit(1);
      return;
    }
    // the hook first, so a signal that comes at once still closes the server
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("shutting down");
                  try {
                    server.close();
                  } finally {
                    closeQuietly(store);
                  }
                  if (!training) {
                    // everything is closed: leave now, without the JVM's own exit work
                    TerminationSignals.exitNow(0);
                  }
                },
                "cellar-shutdown"));
    TerminationSignals.install();
    log.info(
        "Vineyard will listen on {} for IPC{}, {} bytes of shared memory",
        server.ipcSocket(),
        server.rpcPort() >= 0 ? " and " + server.identity().rpcEndpoint() + " for RPC" : "",
        options.memoryLimit());
    if (server.metricsPort() >= 0) {
      log.info("Prometheus metrics on http://0.0.0.0:{}/metrics", server.metricsPort());
    }
    if (training) {
      System.exit(0);
      return;
    }
    if (options.warmup()) {
      StartupWarmup.continueInBackground(serverConfig.rpc());
    }
    try {
      new CountDownLatch(1).await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(Store store) {
    try {
      StoreReport report = store.closeAndReport();
      if (!report.isClean()) {
        LoggerFactory.getLogger(Vineyardd.class)
            .warn("the store closed with resources outstanding:\n{}", report);
      }
    } catch (RuntimeException e) {
      // already reported or shutting down
    }
  }

  private static void setLogDefaults() {
    setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "info");
    setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
    setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
    setIfAbsent("org.slf4j.simpleLogger.log.io.netty", "warn");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
