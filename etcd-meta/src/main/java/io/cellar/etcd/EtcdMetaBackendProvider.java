package io.cellar.etcd;

import io.cellar.core.meta.backend.MetaBackend;
import io.cellar.core.meta.backend.MetaBackendProvider;
import java.util.Map;

/** Makes {@link EtcdMetaBackend}s for {@code --meta etcd}. Stateless and thread-safe. */
public final class EtcdMetaBackendProvider implements MetaBackendProvider {
  /** For {@link java.util.ServiceLoader}. */
  public EtcdMetaBackendProvider() {}

  @Override
  public String name() {
    return "etcd";
  }

  @Override
  public MetaBackend open(Map<String, String> options) {
    return EtcdMetaBackend.open(options);
  }
}
