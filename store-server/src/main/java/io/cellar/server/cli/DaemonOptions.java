package io.cellar.server.cli;

import io.cellar.core.config.StoreConfig;
import io.cellar.core.memory.MemorySize;
import io.cellar.core.meta.backend.MetaBackends;
import io.cellar.protocol.VineyardVersion;
import io.cellar.server.ServerConfig;
import io.cellar.server.cli.FlagSpec.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The daemon's options: vineyardd's flags with vineyardd's defaults (reference §7), plus Cellar's
 * {@code --hugepages}, {@code --shm_dir}, {@code --rpc_host}, {@code --socket_mode}, {@code
 * --metrics_port} and {@code --etcd_lease_ttl}. Flags of features not built here are accepted when
 * harmless and refused with a clear message when ignoring them would change behaviour ({@code
 * --meta=redis}).
 *
 * <p>{@code --meta} names a metadata backend found through {@link MetaBackends} (a {@code
 * ServiceLoader}): {@code local} is store-core's, {@code etcd} comes from etcd-meta's jar on the
 * runtime class path. The server never names a backend: the metadata flags are handed to it as
 * generic properties ({@link #metaOptions()}).
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
 * @param meta {@code --meta}: the metadata backend's name
 * @param metaOptions the flags that concern metadata ({@link #META_FLAGS}), by name without dashes
 * @param logging glog's flags ({@code --log_dir}, {@code --logtostderr}, {@code --v}, {@code
 *     --minloglevel})
 * @param logMetrics {@code --prometheus} or its alias {@code --metrics}: log a metric line per
 *     request in the reference's format
 * @param htpasswd {@code --htpasswd}, or null: the database every registration is checked against
 * @param streamThreshold {@code --stream_threshold}, percent
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
    String meta,
    Map<String, String> metaOptions,
    LogOptions logging,
    boolean logMetrics,
    Path htpasswd,
    int streamThreshold,
    Path shmDir) {

  /** The flags handed to the metadata backend as properties ({@link #metaOptions()}). */
  public static final List<String> META_FLAGS =
      List.of(
          "meta_timeout",
          "etcd_endpoint",
          "etcd_prefix",
          "etcd_lease_ttl",
          "skip_launch_etcd",
          "etcd_cmd",
          "etcd_data_dir",
          "redis_endpoint",
          "redis_prefix",
          "redis_cmd");

  /**
   * Makes the metadata options unmodifiable.
   *
   * @throws NullPointerException for null metadata options
   */
  public DaemonOptions {
    metaOptions = Map.copyOf(metaOptions);
  }

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
              "shared memory limit: bytes, or a number (1.5 works) with K/M/G/T/P/E (powers of"
                  + " two; Gi works); empty or 0 means the cgroup or physical memory, else 16G"),
          new FlagSpec("reserve_memory", Kind.BOOL, "false", "pre-fault the shared memory"),
          new FlagSpec("allocator", Kind.STRING, "dlmalloc", "accepted for compatibility"),
          new FlagSpec("rpc", Kind.BOOL, "true", "serve the TCP (RPC) port"),
          new FlagSpec("rpc_socket_port", Kind.INT, "9600", "TCP (RPC) port"),
          new FlagSpec("rpc_host", Kind.STRING, "0.0.0.0", "TCP (RPC) address to bind (Cellar)"),
          new FlagSpec("rdma_endpoint", Kind.STRING, "", "accepted; RDMA is not supported"),
          new FlagSpec(
              "meta",
              Kind.STRING,
              "local",
              "metadata backend: local, or etcd (a cluster sharing one etcd); redis is not built"),
          new FlagSpec(
              "meta_timeout",
              Kind.INT,
              "60",
              "seconds to wait for the metadata backend at start-up, and the bound of every"
                  + " persist, name and delete it shares"),
          new FlagSpec(
              "etcd_endpoint",
              Kind.STRING,
              "http://127.0.0.1:2379",
              "etcd client URLs, comma-separated"),
          new FlagSpec("etcd_prefix", Kind.STRING, "vineyard", "etcd key prefix, used verbatim"),
          new FlagSpec(
              "etcd_lease_ttl",
              Kind.INT,
              "10",
              "seconds of the etcd lease this instance's keys live on: a killed instance is seen"
                  + " dead by the others this long after (Cellar)"),
          new FlagSpec(
              "skip_launch_etcd",
              Kind.BOOL,
              "true",
              "launch a local etcd only when the endpoint never answers (false: always)"),
          new FlagSpec(
              "etcd_cmd",
              Kind.STRING,
              "",
              "the etcd binary to launch when the endpoint never answers; empty: etcd on the PATH"),
          new FlagSpec(
              "etcd_data_dir",
              Kind.STRING,
              "",
              "data directory of a launched etcd; empty: a temporary one, removed at exit"),
          new FlagSpec("redis_endpoint", Kind.STRING, "redis://127.0.0.1:6379", "redis endpoint"),
          new FlagSpec("redis_prefix", Kind.STRING, "vineyard", "redis key prefix"),
          new FlagSpec("redis_cmd", Kind.STRING, "", "accepted for compatibility"),
          new FlagSpec(
              "deployment", Kind.STRING, "local", "local or distributed (instance_status)"),
          new FlagSpec("spill_path", Kind.STRING, "", "spill directory; empty disables spilling"),
          new FlagSpec("spill_lower_rate", Kind.DOUBLE, "0.3", "spill down to this share"),
          new FlagSpec("spill_upper_rate", Kind.DOUBLE, "0.8", "start spilling at this share"),
          new FlagSpec(
              "stream_threshold",
              Kind.INT,
              "80",
              "percent of memory above which a stream's writer waits for its reader"),
          new FlagSpec(
              "compression",
              Kind.BOOL,
              "true",
              "accepted; RPC compression is reported off (no zstd)"),
          new FlagSpec("sync_crds", Kind.BOOL, "false", "accepted for compatibility"),
          new FlagSpec(
              "htpasswd",
              Kind.STRING,
              "",
              "htpasswd database (bcrypt, apr1 MD5 or SHA entries) every client's register_request"
                  + " username and password is checked against; empty for none"),
          new FlagSpec(
              "prometheus",
              Kind.BOOL,
              "false",
              "log a metric line per request, as the reference does for a log-scraping exporter"
                  + " (--metrics_port serves them over HTTP)"),
          new FlagSpec("metrics", Kind.BOOL, "false", "alias for --prometheus"),
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
              Long.toString(ServerConfig.DEFAULT_SPIN_MICROS),
              "microseconds an event loop keeps polling (and yielding) after I/O before it"
                  + " blocks; a request that finds it polling skips a thread wake-up; 0 always"
                  + " blocks (Cellar)"),
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
                  + " private socket (a second or so of one core, at nice 10; nothing of it is ever"
                  + " seen) so"
                  + " the first clients meet a warmed-up JIT (Cellar)"),
          new FlagSpec(
              "log_dir", Kind.STRING, "", "also write the log to a file in this directory"),
          new FlagSpec("logtostderr", Kind.BOOL, "false", "log to stderr only (no log file)"),
          new FlagSpec(
              "alsologtostderr", Kind.BOOL, "false", "accepted; stderr always gets the log"),
          new FlagSpec(
              "stderrthreshold", Kind.INT, "0", "accepted; stderr always gets the whole log"),
          new FlagSpec("v", Kind.INT, "0", "verbosity: 1 adds DEBUG messages, 2 adds TRACE"),
          new FlagSpec("vmodule", Kind.STRING, "", "accepted; use --v"),
          new FlagSpec(
              "minloglevel", Kind.INT, "0", "log only from this level: 0 INFO, 1 WARNING, 2 ERROR"),
          new FlagSpec("version", Kind.BOOL, "false", "print the version and exit"),
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
   * Whether the arguments ask for the version.
   *
   * @param args the arguments
   * @return true when {@code --version} is given
   */
  public static boolean wantsVersion(String[] args) {
    for (String a : args) {
      if (a.equals("--version") || a.equals("-version") || a.equals("--version=true")) {
        return true;
      }
    }
    return false;
  }

  /**
   * What {@code --version} prints, as vineyardd does.
   *
   * @return {@code vineyardd version <version>}
   */
  public static String versionLine() {
    return "vineyardd version " + VineyardVersion.VALUE;
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
    Set<String> backends = MetaBackends.providers().keySet();
    if (!backends.contains(meta)) {
      if (meta.equals("redis") || meta.equals("etcd")) {
        throw new UsageException(
            "--meta="
                + meta
                + " is not built yet in this server (or its jar is not on the class path);"
                + " use one of: "
                + String.join(", ", backends));
      }
      throw new UsageException(
          "illegal value '"
              + meta
              + "' specified for flag 'meta': use one of "
              + String.join(", ", backends));
    }
    Map<String, String> metaOptions = new LinkedHashMap<>();
    for (String name : META_FLAGS) {
      metaOptions.put(name, v.get(name));
    }
    Path htpasswd = null;
    if (!v.get("htpasswd").isEmpty()) {
      htpasswd = Path.of(v.get("htpasswd"));
      if (!Files.isReadable(htpasswd) || Files.isDirectory(htpasswd)) {
        throw new UsageException(
            "flag 'htpasswd': cannot read the htpasswd database '" + htpasswd + "'");
      }
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
    intInRange(v, "meta_timeout", 1, Integer.MAX_VALUE);
    intInRange(v, "etcd_lease_ttl", 1, 3600);
    boolean rpc = Boolean.parseBoolean(v.get("rpc"));
    if (!meta.equals("local") && rpc && port == 0) {
      // the port is published in the cluster before the server binds it
      throw new UsageException(
          "flag 'rpc_socket_port' must name a port with --meta="
              + meta
              + " (0 cannot be published)");
    }
    int metricsPort = intInRange(v, "metrics_port", -1, 65535);
    int busyPoll = intInRange(v, "busy_poll_us", 0, 1_000_000);
    int streamThreshold = intInRange(v, "stream_threshold", 0, 100);
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
        rpc,
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
        meta,
        metaOptions,
        logOptions(v),
        Boolean.parseBoolean(v.get("prometheus")) || Boolean.parseBoolean(v.get("metrics")),
        htpasswd,
        streamThreshold,
        shm.isBlank() ? null : Path.of(shm));
  }

  private static LogOptions logOptions(Map<String, String> v) throws UsageException {
    String dir = v.get("log_dir");
    return new LogOptions(
        dir.isEmpty() ? null : Path.of(dir),
        Boolean.parseBoolean(v.get("logtostderr")),
        intInRange(v, "v", 0, 1000),
        intInRange(v, "minloglevel", 0, 3));
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
        streamThreshold,
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
        socket,
        socketMode,
        rpc,
        rpcHost,
        rpcPort,
        deployment,
        metricsPort,
        0,
        2,
        busyPollMicros,
        logMetrics,
        htpasswd);
  }
}
