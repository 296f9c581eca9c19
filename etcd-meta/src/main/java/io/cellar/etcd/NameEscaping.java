package io.cellar.etcd;

/**
 * The reference's escaping of object names inside etcd keys ({@code escape_json_pointer} in
 * vineyardd's {@code common/util/json.h}): JSON-pointer style, {@code ~} becomes {@code ~0} and
 * {@code /} becomes {@code ~1}, so the name {@code a/b} is the key {@code /names/a~1b}.
 *
 * <p>Stateless and thread-safe.
 */
public final class NameEscaping {
  private NameEscaping() {}

  /**
   * Escapes a name for a key.
   *
   * @param name the name as the client gave it
   * @return the key segment
   */
  public static String escape(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }

  /**
   * Reverses {@link #escape}: {@code ~1} becomes {@code /}, then {@code ~0} becomes {@code ~} (in
   * this order, as the reference does).
   *
   * @param segment the key segment
   * @return the name
   */
  public static String unescape(String segment) {
    return segment.replace("~1", "/").replace("~0", "~");
  }
}
