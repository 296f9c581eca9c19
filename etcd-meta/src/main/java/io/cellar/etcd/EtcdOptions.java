package io.cellar.etcd;

import io.cellar.protocol.CellarException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The etcd backend's settings, read from the command-line flags that concern metadata (vineyardd's
 * names, without dashes).
 *
 * @param endpoints {@code etcd_endpoint}: client URLs, comma-separated on the command line (default
 *     {@code http://127.0.0.1:2379})
 * @param prefix {@code etcd_prefix}: the key prefix, used verbatim as the reference does, so {@code
 *     vineyard} gives keys {@code vineyard/S…} and {@code /vineyard} gives {@code /vineyard/S…}
 *     (default {@code vineyard})
 * @param metaTimeout {@code meta_timeout}: how long start-up waits for etcd, and the bound of every
 *     commit and sync (default 60 s)
 * @param leaseTtl {@code etcd_lease_ttl} (ours): the TTL of the lease the instance keys live on
 *     (default 10 s)
 * @param heartbeatInterval {@code etcd_heartbeat_interval} (ours): how often the instance rewrites
 *     its {@code timestamp} and checks lease-less instances (default 10 s, the reference's
 *     HEARTBEAT_TIME; a lease-less instance is dead after 3 unchanged checks)
 * @param etcdCmd {@code etcd_cmd}: the etcd binary to launch (default: {@code etcd} on the PATH)
 * @param etcdDataDir {@code etcd_data_dir}: the launched etcd's data directory (default: a new
 *     temporary directory, removed at close)
 * @param skipLaunchEtcd {@code skip_launch_etcd}: when false, launch a local etcd even when the
 *     endpoint answers (default true: launch only when it never answers)
 */
public record EtcdOptions(
    List<URI> endpoints,
    String prefix,
    Duration metaTimeout,
    Duration leaseTtl,
    Duration heartbeatInterval,
    String etcdCmd,
    Path etcdDataDir,
    boolean skipLaunchEtcd) {

  /** The reference's default endpoint. */
  public static final String DEFAULT_ENDPOINT = "http://127.0.0.1:2379";

  /**
   * Reads the options.
   *
   * @param options flags by name without dashes; unknown names are ignored
   * @return the settings
   * @throws CellarException (Invalid) on a malformed value
   */
  public static EtcdOptions from(Map<String, String> options) {
    String endpoint = options.getOrDefault("etcd_endpoint", DEFAULT_ENDPOINT);
    List<URI> endpoints =
        Arrays.stream(endpoint.split(","))
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .map(EtcdOptions::endpoint)
            .toList();
    if (endpoints.isEmpty()) {
      throw CellarException.invalid("etcd_endpoint is empty");
    }
    String dataDir = options.getOrDefault("etcd_data_dir", "");
    return new EtcdOptions(
        endpoints,
        options.getOrDefault("etcd_prefix", "vineyard"),
        seconds(options, "meta_timeout", 60),
        seconds(options, "etcd_lease_ttl", 10),
        seconds(options, "etcd_heartbeat_interval", 10),
        options.getOrDefault("etcd_cmd", ""),
        dataDir.isEmpty() ? null : Path.of(dataDir),
        !"false".equalsIgnoreCase(options.getOrDefault("skip_launch_etcd", "true")));
  }

  private static URI endpoint(String text) {
    try {
      URI uri = URI.create(text.contains("://") ? text : "http://" + text);
      if (uri.getHost() == null || uri.getPort() < 0) {
        throw CellarException.invalid("etcd_endpoint needs host:port: " + text);
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw CellarException.invalid("bad etcd_endpoint " + text + ": " + e.getMessage());
    }
  }

  /** A duration flag in seconds, as vineyardd's; fractions ("0.5") are accepted for tests. */
  private static Duration seconds(Map<String, String> options, String name, long byDefault) {
    String text = options.get(name);
    if (text == null || text.isBlank()) {
      return Duration.ofSeconds(byDefault);
    }
    try {
      double value = Double.parseDouble(text.strip());
      if (!(value > 0)) {
        throw CellarException.invalid(name + " must be positive: " + text);
      }
      return Duration.ofMillis(Math.round(value * 1000));
    } catch (NumberFormatException e) {
      throw CellarException.invalid(name + " is not a number of seconds: " + text);
    }
  }

  /**
   * The endpoints in jetcd's form.
   *
   * @return the URLs as text
   */
  public String[] endpointTexts() {
    return endpoints.stream().map(URI::toString).toArray(String[]::new);
  }
}
