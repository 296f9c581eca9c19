package io.cellar.core.meta.local;

import io.cellar.core.meta.backend.MetaBackend;
import io.cellar.core.meta.backend.MetaBackendProvider;
import io.cellar.protocol.CellarException;
import java.util.Map;

/**
 * The {@link MetaBackendProvider} of {@code --meta=local}, listed in store-core's {@code
 * META-INF/services}. Stateless and thread-safe.
 */
public final class LocalMetaBackendProvider implements MetaBackendProvider {
  /** The option that sets the instance id (default 0). */
  public static final String INSTANCE_ID = "instance_id";

  /** A provider, as {@link java.util.ServiceLoader} makes it. */
  public LocalMetaBackendProvider() {}

  @Override
  public String name() {
    return LocalMetaBackend.NAME;
  }

  /**
   * Opens a local backend.
   *
   * @param options {@code instance_id} (unsigned decimal, default 0); others are ignored
   * @return a new backend
   * @throws CellarException Invalid for an {@code instance_id} that is not a number
   */
  @Override
  public MetaBackend open(Map<String, String> options) {
    String id = options == null ? null : options.get(INSTANCE_ID);
    if (id == null || id.isBlank()) {
      return new LocalMetaBackend();
    }
    try {
      return new LocalMetaBackend(Long.parseUnsignedLong(id.strip()));
    } catch (NumberFormatException e) {
      throw CellarException.invalid("instance_id must be an unsigned number, got '" + id + "'");
    }
  }
}
