package io.cellar.core.meta.backend;

import java.util.Map;

/**
 * Makes {@link MetaBackend}s of one kind; found through {@link java.util.ServiceLoader} by {@link
 * #name()} (the {@code --meta} value). A provider is listed in {@code
 * META-INF/services/io.cellar.core.meta.backend.MetaBackendProvider} of its jar.
 */
public interface MetaBackendProvider {
  /**
   * The {@code --meta} value this provider answers to.
   *
   * @return for example {@code "etcd"}
   */
  String name();

  /**
   * Opens a backend. Connects lazily or eagerly as the backend prefers; {@link
   * MetaBackend#register} reports an unreachable backend at the latest.
   *
   * @param options the command-line flags that concern metadata, by flag name without dashes
   *     ({@code etcd_endpoint}, {@code etcd_prefix}, {@code meta_timeout}, …)
   * @return the backend, owned by the caller
   */
  MetaBackend open(Map<String, String> options);
}
