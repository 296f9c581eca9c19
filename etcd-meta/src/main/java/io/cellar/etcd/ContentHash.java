package io.cellar.etcd;

import java.nio.charset.StandardCharsets;

/**
 * A 64-bit FNV-1a hash of a key and a value: how the backend remembers what it has delivered for a
 * key (to compute the difference after a reload) and recognises its own writes of an uncertain
 * commit, without keeping the values.
 *
 * <p>Stateless and thread-safe.
 */
final class ContentHash {
  private static final long OFFSET = 0xcbf29ce484222325L;
  private static final long PRIME = 0x100000001b3L;

  private ContentHash() {}

  /**
   * The hash of a value alone.
   *
   * @param value the bytes, or null for "absent"
   * @return the hash; 0 for null
   */
  static long ofValue(byte[] value) {
    if (value == null) {
      return 0;
    }
    long h = OFFSET;
    for (byte b : value) {
      h = (h ^ (b & 0xff)) * PRIME;
    }
    return h == 0 ? 1 : h;
  }

  /**
   * The hash of a key and a value.
   *
   * @param key the key
   * @param value the bytes, or null for a delete
   * @return the hash
   */
  static long of(String key, byte[] value) {
    long h = OFFSET;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * PRIME;
    }
    return h * 31 + ofValue(value);
  }
}
