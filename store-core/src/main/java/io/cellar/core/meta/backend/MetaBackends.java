package io.cellar.core.meta.backend;

import io.cellar.protocol.CellarException;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Finds a metadata backend by its {@code --meta} name among the {@link MetaBackendProvider}s on the
 * class path ({@link ServiceLoader}). store-core provides {@code local}; other jars add theirs.
 *
 * <p>Stateless and thread-safe; each call reads the providers afresh.
 */
public final class MetaBackends {
  private MetaBackends() {}

  /**
   * Opens the backend a {@code --meta} value names.
   *
   * @param name the backend's name, e.g. {@code "local"}
   * @param options the metadata flags by name without dashes ({@code etcd_endpoint}, …)
   * @return the backend, owned by the caller
   * @throws CellarException Invalid for an unknown name, naming the known backends
   */
  public static MetaBackend open(String name, Map<String, String> options) {
    Map<String, MetaBackendProvider> known = providers();
    MetaBackendProvider provider = known.get(name);
    if (provider == null) {
      throw CellarException.invalid(
          "unknown metadata backend '"
              + name
              + "'; known backends: "
              + String.join(", ", known.keySet()));
    }
    return provider.open(options);
  }

  /**
   * The providers on the class path, by name.
   *
   * @return a new map, in name order
   */
  public static Map<String, MetaBackendProvider> providers() {
    Map<String, MetaBackendProvider> out = new TreeMap<>();
    for (MetaBackendProvider p : ServiceLoader.load(MetaBackendProvider.class)) {
      out.putIfAbsent(p.name(), p);
    }
    return out;
  }
}
