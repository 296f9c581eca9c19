package io.cellar.etcd;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One put or delete of one etcd key, as a transaction carries it.
 *
 * @param key the whole key
 * @param value the value bytes of a put (JSON text, as the reference writes it), or null for a
 *     delete
 */
record EtcdWrite(String key, byte[] value) {
  static EtcdWrite put(String key, String json) {
    return new EtcdWrite(key, json.getBytes(StandardCharsets.UTF_8));
  }

  static EtcdWrite put(String key, byte[] json) {
    return new EtcdWrite(key, json);
  }

  static EtcdWrite delete(String key) {
    return new EtcdWrite(key, null);
  }

  boolean isDelete() {
    return value == null;
  }

  /** What the watch shows of this write: the key with a hash of the value (0 for a delete). */
  long fingerprint() {
    return ContentHash.of(key, value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EtcdWrite w && key.equals(w.key) && Arrays.equals(value, w.value);
  }

  @Override
  public int hashCode() {
    return key.hashCode() * 31 + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return isDelete()
        ? "delete " + key
        : "put " + key + " = " + new String(value, StandardCharsets.UTF_8);
  }
}
