package io.cellar.etcd;

import io.cellar.core.meta.backend.InstanceFacts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens {@link EtcdMetaBackend}s on a test etcd, each test on its own prefix, and closes them all.
 * Not thread-safe: used by one test.
 */
final class Backends implements AutoCloseable {
  private static final AtomicInteger PREFIXES = new AtomicInteger();

  private final String endpoints;
  private final String prefix;
  private final Map<String, String> extra = new HashMap<>();
  private final List<EtcdMetaBackend> opened = new ArrayList<>();

  Backends(String endpoints) {
    this.endpoints = endpoints;
    this.prefix = "/cellar-it-" + ProcessHandle.current().pid() + "-" + PREFIXES.incrementAndGet();
    extra.put("etcd_lease_ttl", "3");
    extra.put("meta_timeout", "10");
  }

  Backends with(String option, String value) {
    extra.put(option, value);
    return this;
  }

  String prefix() {
    return prefix;
  }

  /** The session prefix the backends write under. */
  String root() {
    return prefix + "/S0000000000000000";
  }

  Map<String, String> options() {
    Map<String, String> options = new HashMap<>(extra);
    options.put("etcd_endpoint", endpoints);
    options.put("etcd_prefix", prefix);
    return options;
  }

  EtcdMetaBackend open() {
    EtcdMetaBackend backend = EtcdMetaBackend.open(options());
    opened.add(backend);
    return backend;
  }

  static InstanceFacts facts(int n) {
    return new InstanceFacts(
        "host" + n,
        "node" + n,
        "/tmp/cellar-" + n + ".sock",
        "host" + n + ":" + (9600 + n),
        1000L + n);
  }

  @Override
  public void close() {
    for (EtcdMetaBackend b : opened) {
      b.close();
    }
  }
}
