package io.cellar.it;

import io.cellar.testing.daemon.DaemonCommand;
import io.cellar.testing.daemon.DaemonKind;
import io.cellar.testing.daemon.VineyarddProcess;
import io.cellar.testing.etcd.EtcdCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Several vineyardd on one etcd under one prefix, started one after the other so that the first is
 * instance 0, the second instance 1, and so on: Cellar's packaged launcher {@code bin/vineyardd}
 * (which must carry etcd-meta on its class path) or the reference binary from the wheel, each with
 * {@code --meta=etcd --deployment=distributed} and its RPC port.
 *
 * <p>Not thread-safe: driven by the test thread.
 */
final class VineyarddFleet implements AutoCloseable {
  /** The lease TTL Cellar daemons of a fleet run with, in seconds. */
  static final int LEASE_TTL_SECONDS = 10;

  private final EtcdCluster etcd;
  private final String prefix;
  private final List<VineyarddProcess> daemons = new ArrayList<>();

  private VineyarddFleet(EtcdCluster etcd, String prefix) {
    this.etcd = etcd;
    this.prefix = prefix;
  }

  /**
   * Starts a fleet.
   *
   * @param etcd the running etcd
   * @param prefix the {@code --etcd_prefix}, for example {@code /cellar-it-1}
   * @param kinds one per daemon, in instance order
   * @return the running fleet, owned by the caller
   * @throws Exception when a daemon does not start (the others are stopped)
   */
  static VineyarddFleet start(EtcdCluster etcd, String prefix, DaemonKind... kinds)
      throws Exception {
    VineyarddFleet fleet = new VineyarddFleet(etcd, prefix);
    try {
      for (DaemonKind kind : kinds) {
        fleet.add(kind);
      }
      return fleet;
    } catch (Exception | Error e) {
      fleet.close();
      throw e;
    }
  }

  /**
   * Starts one more daemon.
   *
   * @param kind which server
   * @return the running daemon, owned by the fleet
   * @throws Exception when it does not start
   */
  VineyarddProcess add(DaemonKind kind) throws Exception {
    VineyarddProcess daemon = builder(kind).start();
    daemons.add(daemon);
    return daemon;
  }

  /**
   * Starts one more daemon from a builder of this fleet ({@link #builder}), changed by the caller.
   *
   * @param builder the builder
   * @return the running daemon, owned by the fleet
   * @throws Exception when it does not start
   */
  VineyarddProcess add(VineyarddProcess.Builder builder) throws Exception {
    VineyarddProcess daemon = builder.start();
    daemons.add(daemon);
    return daemon;
  }

  /**
   * A builder for one more daemon of this fleet, not started.
   *
   * @param kind which server
   * @return the builder with the fleet's flags
   * @throws Exception when the reference binary is asked for and the venv cannot be set up
   */
  VineyarddProcess.Builder builder(DaemonKind kind) throws Exception {
    DaemonCommand command =
        kind == DaemonKind.REFERENCE
            ? Servers.referenceCommand()
            : DaemonCommand.cellarLauncher(
                Path.of(System.getProperty("cellar.repo.root", ".."), "bin", "vineyardd"));
    List<String> flags = new ArrayList<>();
    flags.add("--meta=etcd");
    flags.add("--etcd_endpoint=" + etcd.endpoints());
    flags.add("--etcd_prefix=" + prefix);
    flags.add("--deployment=distributed");
    if (kind == DaemonKind.CELLAR) {
      flags.add("--etcd_lease_ttl=" + LEASE_TTL_SECONDS);
      flags.add("--warmup=false"); // three JVMs on two shared cores start faster without it
    }
    return VineyarddProcess.builder(command)
        .size("512M")
        .startTimeout(Duration.ofSeconds(90))
        .flags(flags.toArray(String[]::new));
  }

  /**
   * One daemon.
   *
   * @param index its position (its instance id when all started in order)
   * @return the daemon
   */
  VineyarddProcess get(int index) {
    return daemons.get(index);
  }

  /**
   * The IPC socket of a daemon.
   *
   * @param index its position
   * @return the path as text
   */
  String socket(int index) {
    return daemons.get(index).socket().toString();
  }

  /**
   * Every key under the fleet's prefix with its value, as {@code etcdctl get --prefix} prints them.
   *
   * @return the keys in order
   */
  TreeMap<String, String> keys() {
    String[] lines = etcd.etcdctl("get", "--prefix", prefix).split("\n");
    TreeMap<String, String> out = new TreeMap<>();
    for (int i = 0; i + 1 < lines.length; i += 2) {
      out.put(lines[i], lines[i + 1]);
    }
    return out;
  }

  /**
   * The logs of every daemon, for a failure message.
   *
   * @return the logs, one after the other
   */
  String logs() {
    StringBuilder out = new StringBuilder();
    for (VineyarddProcess d : daemons) {
      out.append("--- ").append(d).append('\n').append(d.log()).append('\n');
    }
    return out.toString();
  }

  /** Stops every daemon (SIGTERM, then SIGKILL after the harness's timeout). */
  @Override
  public void close() {
    for (VineyarddProcess d : daemons) {
      d.close();
    }
    daemons.clear();
  }
}
