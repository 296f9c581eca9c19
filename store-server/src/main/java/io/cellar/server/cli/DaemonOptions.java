package io.cellar.server.cli;

import io.cellar.core.config.StoreConfig;
import io.cellar.core.memory.MemorySize;
import io.cellar.server.ServerConfig;
import io.cellar.server.cli.FlagSpec.Kind;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The daemon's options: vineyardd's flags with vineyardd's defaults (reference §7), plus Cellar's
 * {@code --hugepages}, {@code --shm_dir}, {@code --rpc_host}, {@code --socket_mode} and {@code
 * --metrics_port}. Flags of features not built here are accepted when harmless and refused with a
 * clear message when ignoring them would change behaviour ({@code --meta=etcd|redis}, {@code
 * --htpasswd}).
 *
 * <p>Immutable.
 *
 * @param socket {@code --socket}
 * @param memoryLimit {@code --size} in bytes
 * @param reserveMemory {@code --reserve_memory}
 * @param hugepages {@code --hugepages}
 * @param rpc {@code --rpc}
 * @param rpcHost {@code --rpc_host}
 * @param rpcPort {@code --rpc_socket_port}
 * @param spillPath {@code --spill_path}, or null
 * @param spillLowerRate {@code --spill_lower_rate}
 * @param spillUpperRate {@code --spill_upper_rate}
 * @param deployment {@code --deployment}
 * @param socketMode {@code --socket_mode}
 * @param metricsPort {@code --metrics_port}, -1 for none
 * @param busyPollMicros {@code --busy_poll_us}
 * @param prefillAhead {@code --prefill_ahead} in bytes
 * @param warmup {@code --warmup}
 * @param shmDir {@code --shm_dir}, or null
 */
public record DaemonOptions(
    String socket,
    long memoryLimit,
    boolean reserveMemory,
    boolean hugepages,
    boolean rpc,
    String rpcHost,
    int rpcPort,
    Path spillPath,
    double spillLowerRate,
    double spillUpperRate,
    String deployment,
    int socketMode,
    int metricsPort,
    int busyPollMicros,
    long prefillAhead,
    boolean warmup,
    Path shmDir) {

  /** Every flag the daemon accepts. */
  public static final List<FlagSpec> FLAGS =
      List.of(
          new FlagSpec(
              "socket",
              Kind.STRING,
              "",
              "IPC socket path; empty means /var/run/vineyard.sock, falling back to"
                  + " $HOME/.local/vineyard/vineyard.sock"),
          new FlagSpec(
              "size",
              Kind.STRING,
              "",
              "shared memory limit: bytes, or with K/M/G/T/P/E (powers of two; Gi works);"
                  + " empty means the cgroup or physical memory, else 16G"),
          new FlagSpec("reserve_memory", Kind.BOOL, "false", "pre-fault the shared memory"),
          new FlagSpec("allocator", Kind.STRING, "dlmalloc", "accepted for compatibility"),
          new FlagSpec("rpc", Kind.BOOL, "true", "serve the TCP (RPC) port"),
          new FlagSpec("rpc_socket_port", Kind.INT, "9600", "TCP (RPC) port"),
          new FlagSpec("rpc_host", Kind.STRING, "0.0.0.0", "TCP (RPC) address to bind (Cellar)"),
          new FlagSpec("rdma_endpoint", Kind.STRING, "", "accepted; RDMA is not supported"),
          new FlagSpec(
              "meta", Kind.STRING, "local", "metadata backend: local (etcd, redis: not built yet)"),
          new FlagSpec("meta_timeout", Kind.INT, "60", "seconds to wait for the metadata backend"),
          new FlagSpec("etcd_endpoint", Kind.STRING, "http://127.0.0.1:2379", "etcd endpoint"),
          new FlagSpec("etcd_prefix", Kind.STRING, "vineyard", "etcd key prefix"),
          new FlagSpec("skip_launch_etcd", Kind.BOOL, "true", "accepted for compatibility"),
          new FlagSpec("etcd_cmd", Kind.STRING, "", "accepted for compatibility"),
          new FlagSpec("etcd_data_dir", Kind.STRING, "", "accepted for compatibility"),
          new FlagSpec("redis_endpoint", Kind.STRING, "redis://127.0.0.1:6379", "redis endpoint"),
          new FlagSpec("redis_prefix", Kind.STRING, "vineyard", "redis key prefix"),
          new FlagSpec("redis_cmd", Kind.STRING, "", "accepted for compatibility"),
          new FlagSpec(
              "deployment", Kind.STRING, "local", "local or distributed (instance_status)"),
          new FlagSpec("spill_path", Kind.STRING, "", "spill directory; empty disables spilling"),
          new FlagSpec("spill_lower_rate", Kind.DOUBLE, "0.3", "spill down to this share"),
          new FlagSpec("spill_upper_rate", Kind.DOUBLE, "0.8", "start spilling at this share"),
          new FlagSpec("stream_threshold", Kind.INT, "80", "accepted; streams are not built yet"),
          new FlagSpec(
              "compression",
              Kind.BOOL,
              "true",
              "accepted; RPC compression is reported off (no zstd)"),
          new FlagSpec("sync_crds", Kind.BOOL, "false", "accepted for compatibility"),
          new FlagSpec("htpasswd", Kind.STRING, "", "authentication database (not built yet)"),
          new FlagSpec("prometheus", Kind.BOOL, "false", "accepted; see --metrics_port"),
          new FlagSpec("metrics", Kind.BOOL, "false", "accepted; see --metrics_port"),
          new FlagSpec("coredump", Kind.BOOL, "false", "accepted for compatibility"),
          new FlagSpec(
              "hugepages", Kind.BOOL, "false", "try huge pages for shared memory (Cellar)"),
          new FlagSpec(
              "socket_mode", Kind.STRING, "0777", "octal mode of the socket file (Cellar)"),
          new FlagSpec(
              "metrics_port",
              Kind.INT,
              "-1",
              "serve Prometheus metrics on this HTTP port at /metrics; -1 for none (Cellar)"),
          new FlagSpec(
              "busy_poll_us",
              Kind.INT,
              "0",
              "microseconds an event loop keeps polling after I/O before blocking; only helps"
                  + " with cores to spare, 0 always blocks (Cellar)"),
          new FlagSpec(
              "prefill_ahead",
              Kind.STRING,
              "",
              "keep a window of this much never-used shared memory filled with zeroed pages"
                  + " ahead of the allocations, refilled in the background while idle and while"
                  + " the host has memory and cores to spare, so first writes fault about twice as"
                  + " fast; empty means 256Mi (at most --size); 0 turns it off;"
                  + " --reserve_memory commits all of --size instead (Cellar)"),
          new FlagSpec(
              "shm_dir",
              Kind.STRING,
              "",
              "a directory on a tmpfs mounted huge=always or huge=within_size: the shared memory"
                  + " is an unnamed file there, in 2 MiB pages, passed to clients by fd as a memfd"
                  + " is; empty (or a directory without huge pages) means a memfd (Cellar)"),
          new FlagSpec(
              "warmup",
              Kind.BOOL,
              "true",
              "before the socket exists, play a short client session against a throwaway store on a"
                  + " private socket (a second or so of one core; nothing of it is ever seen) so"
                  + " the first clients meet a warmed-up JIT (Cellar)"),
          new FlagSpec("help", Kind.BOOL, "false", "show this help and exit"));

  /** The first line of {@code --help}. */
  public static final String USAGE = "Usage: vineyardd [--flag=value ...]";

  /**
   * Whether the arguments ask for help.
   *
   * @param args the arguments
   * @return true when {@code --help} is given
   */
  public static boolean wantsHelp(String[] args) {
    for (String a : args) {
      if (a.equals("--help") || a.equals("-help") || a.equals("--help=true")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The help text.
   *
   * @return the text listing every flag
   */
  public static String help() {
    return new GflagsParser(FLAGS).help(USAGE);
  }

  /**
   * Parses and checks the command line.
   *
   * @param args the arguments
   * @return the options
   * @throws UsageException naming the flag at fault
   */
  public static DaemonOptions parse(String[] args) throws UsageException {
    Map<String, String> v = new GflagsParser(FLAGS).parse(args);
    String meta = v.get("meta");
    switch (meta) {
      case "local" -> {}
      case "etcd", "redis" ->
          throw new UsageException(
              "--meta=" + meta + " is not built yet in this server; use --meta=local");
      default ->
          throw new UsageException(
              "illegal value '" + meta + "' specified for flag 'meta': use local");
    }
    if (!v.get("htpasswd").isEmpty()) {
      throw new UsageException("--htpasswd (authentication) is not built yet in this server");
    }
    String deployment = v.get("deployment");
    if (!deployment.equals("local") && !deployment.equals("distributed")) {
      throw new UsageException(
          "illegal value '" + deployment + "' specified for flag 'deployment'");
    }
    String allocator = v.get("allocator");
    if (!allocator.equals("dlmalloc") && !allocator.equals("mimalloc")) {
      throw new UsageException("illegal value '" + allocator + "' specified for flag 'allocator'");
    }
    long size;
    try {
      size = MemorySizeParser.parse(v.get("size"));
    } catch (IllegalArgumentException e) {
      throw new UsageException("illegal value for flag 'size': " + e.getMessage());
    }
    if (size <= 0) {
      throw new UsageException("illegal value '" + v.get("size") + "' for flag 'size': not > 0");
    }
    long prefillAhead;
    try {
      String prefill = v.get("prefill_ahead");
      if (!prefill.isBlank()) {
        prefillAhead = MemorySize.parse(prefill);
      } else {
        prefillAhead = Math.min(StoreConfig.DEFAULT_PREFILL_AHEAD, size);
      }
    } catch (IllegalArgumentException e) {
      throw new UsageException("illegal value for flag 'prefill_ahead': " + e.getMessage());
    }
    if (prefillAhead < 0) {
      throw new UsageException(
          "illegal value '" + v.get("prefill_ahead") + "' for flag 'prefill_ahead': negative");
    }
    int port = intInRange(v, "rpc_socket_port", 0, 65535);
    int metricsPort = intInRange(v, "metrics_port", -1, 65535);
    int busyPoll = intInRange(v, "busy_poll_us", 0, 1_000_000);
    double lower = Double.parseDouble(v.get("spill_lower_rate"));
    double upper = Double.parseDouble(v.get("spill_upper_rate"));
    if (lower < 0 || lower > 1 || upper < 0 || upper > 1 || lower > upper) {
      throw new UsageException(
          "flags 'spill_lower_rate' and 'spill_upper_rate' must satisfy 0 <= lower <= upper <= 1");
    }
    int mode;
    try {
      mode = Integer.parseInt(v.get("socket_mode").trim(), 8);
    } catch (NumberFormatException e) {
      throw new UsageException(
          "illegal value '"
              + v.get("socket_mode")
              + "' specified for flag 'socket_mode': not octal");
    }
    if (mode < 0 || mode > 0777) {
      throw new UsageException("flag 'socket_mode' must be between 0 and 0777");
    }
    String spill = v.get("spill_path");
    String shm = v.get("shm_dir");
    return new DaemonOptions(
        v.get("socket"),
        size,
        Boolean.parseBoolean(v.get("reserve_memory")),
        Boolean.parseBoolean(v.get("hugepages")),
        Boolean.parseBoolean(v.get("rpc")),
        v.get("rpc_host"),
        port,
        spill.isEmpty() ? null : Path.of(spill),
        lower,
        upper,
        deployment,
        mode,
        metricsPort,
        busyPoll,
        prefillAhead,
        Boolean.parseBoolean(v.get("warmup")),
        shm.isBlank() ? null : Path.of(shm));
  }

  private static int intInRange(Map<String, String> v, String name, int min, int max)
      throws UsageException {
    long n = Long.decode(v.get(name));
    if (n < min || n > max) {
      throw new UsageException(
          "illegal value '" + v.get(name) + "' specified for flag '" + name + "': out of range");
    }
    return (int) n;
  }

  /**
   * The store configuration these options ask for.
   *
   * @return the configuration
   */
  public StoreConfig storeConfig() {
    return new StoreConfig(
        memoryLimit,
        reserveMemory,
        hugepages,
        spillPath,
        spillLowerRate,
        spillUpperRate,
        prefillAhead,
        shmDir,
        StoreConfig.DEFAULT_IDLE_TRIM);
  }

  /**
   * The server configuration these options ask for.
   *
   * @return the configuration
   */
  public ServerConfig serverConfig() {
    return new ServerConfig(
        socket, socketMode, rpc, rpcHost, rpcPort, deployment, metricsPort, 0, 2, busyPollMicros);
  }
}
