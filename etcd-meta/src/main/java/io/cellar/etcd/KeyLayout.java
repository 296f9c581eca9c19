package io.cellar.etcd;

import io.cellar.protocol.ObjectIds;

/**
 * The reference's etcd keys (reference {@code vineyard-k8s.md} §4.2): every key is {@code
 * <etcd_prefix>/S<16 hex session id>} followed by a logical key. The prefix is used verbatim, as
 * {@code EtcdMetaService} concatenates it, so {@code vineyard} gives {@code
 * vineyard/S0000000000000000/…} and {@code /vineyard} gives {@code /vineyard/S0000000000000000/…}.
 *
 * <p>Immutable and thread-safe.
 */
final class KeyLayout {
  static final String DATA = "/data/";
  static final String NAMES = "/names/";
  static final String SIGNATURES = "/signatures/";
  static final String INSTANCES = "/instances/";
  static final String NEXT_INSTANCE_ID = "/next_instance_id";
  static final String SYNC_LOCK = "/meta_sync_lock";
  static final String USER_LOCKS = "/user_locks";
  static final String NAME_FIELD = "__name";

  private final String root;

  /**
   * A layout.
   *
   * @param etcdPrefix the {@code etcd_prefix} flag
   * @param sessionId the session (0 for the root session)
   */
  KeyLayout(String etcdPrefix, long sessionId) {
    String hex = Long.toHexString(sessionId);
    this.root = etcdPrefix + "/S" + "0".repeat(16 - hex.length()) + hex;
  }

  /** The session's prefix, without a trailing slash. */
  String root() {
    return root;
  }

  String object(long id) {
    return root + DATA + ObjectIds.toText(id);
  }

  String objectName(long id) {
    return object(id) + "/" + NAME_FIELD;
  }

  String name(String name) {
    return root + NAMES + NameEscaping.escape(name);
  }

  String signature(long instanceId, long signature) {
    return root
        + SIGNATURES
        + ObjectIds.instanceText(instanceId)
        + "/"
        + ObjectIds.signatureText(signature);
  }

  String instances() {
    return root + INSTANCES;
  }

  String instance(long instanceId) {
    return root + INSTANCES + ObjectIds.instanceText(instanceId) + "/";
  }

  String instanceField(long instanceId, String field) {
    return instance(instanceId) + field;
  }

  String nextInstanceId() {
    return root + NEXT_INSTANCE_ID;
  }

  String syncLock() {
    return root + SYNC_LOCK;
  }

  /** A client lock's key ({@code acquire_lock_request}); ignored by the watch like lock keys. */
  String userLock(String logicalKey) {
    return root + USER_LOCKS + logicalKey;
  }

  /**
   * What a key means.
   *
   * @param key a whole etcd key
   * @return its meaning; never null
   */
  ParsedKey parse(String key) {
    if (!key.startsWith(root + "/")) {
      return new ParsedKey.ForeignKey();
    }
    String logical = key.substring(root.length());
    if (logical.startsWith(SYNC_LOCK) || logical.startsWith(USER_LOCKS + "/")) {
      return new ParsedKey.LockKey();
    }
    if (logical.equals(NEXT_INSTANCE_ID)) {
      return new ParsedKey.NextInstanceIdKey();
    }
    if (logical.startsWith(DATA)) {
      return parseData(logical.substring(DATA.length()));
    }
    if (logical.startsWith(NAMES)) {
      String segment = logical.substring(NAMES.length());
      return segment.isEmpty()
          ? new ParsedKey.UnknownKey("empty name")
          : new ParsedKey.NameKey(NameEscaping.unescape(segment));
    }
    if (logical.startsWith(SIGNATURES)) {
      String[] parts = logical.substring(SIGNATURES.length()).split("/", -1);
      // a global object's signature is filed under its instance id, the unspecified one (2^64 - 1)
      boolean global = parts.length == 2 && parts[0].equals(UNSPECIFIED_INSTANCE_SEGMENT);
      long instance =
          global ? ObjectIds.UNSPECIFIED_INSTANCE : parts.length == 2 ? instanceId(parts[0]) : -1;
      if ((!global && instance < 0) || !isTextId(parts[1], 's')) {
        return new ParsedKey.UnknownKey("not /signatures/i<N>/s<hex>");
      }
      long signature = ObjectIds.parseText(parts[1]);
      return new ParsedKey.SignatureKey(instance, signature);
    }
    if (logical.startsWith(INSTANCES)) {
      String[] parts = logical.substring(INSTANCES.length()).split("/", -1);
      long instance = parts.length == 2 ? instanceId(parts[0]) : -1;
      if (instance < 0 || parts[1].isEmpty()) {
        return new ParsedKey.UnknownKey("not /instances/i<N>/<field>");
      }
      return new ParsedKey.InstanceKey(instance, parts[1]);
    }
    return new ParsedKey.UnknownKey("no such key in the reference's layout");
  }

  private static ParsedKey parseData(String rest) {
    int slash = rest.indexOf('/');
    String idText = slash < 0 ? rest : rest.substring(0, slash);
    if (!isTextId(idText, 'o')) {
      return new ParsedKey.UnknownKey("not /data/o<hex>");
    }
    long id = ObjectIds.parseText(idText);
    if (slash < 0) {
      return new ParsedKey.ObjectKey(id);
    }
    if (rest.substring(slash + 1).equals(NAME_FIELD)) {
      return new ParsedKey.ObjectNameKey(id);
    }
    return new ParsedKey.UnknownKey("not /data/o<hex> nor /data/o<hex>/__name");
  }

  /** The instance segment of a global object's signature key: the unspecified instance. */
  private static final String UNSPECIFIED_INSTANCE_SEGMENT =
      "i" + Long.toUnsignedString(ObjectIds.UNSPECIFIED_INSTANCE);

  /** An instance id from {@code i<decimal>}, or -1. */
  static long instanceId(String text) {
    if (text.length() < 2 || text.length() > 21 || text.charAt(0) != 'i') {
      return -1;
    }
    for (int i = 1; i < text.length(); i++) {
      if (!Character.isDigit(text.charAt(i))) {
        return -1;
      }
    }
    try {
      long id = Long.parseUnsignedLong(text, 1, text.length(), 10);
      return id < 0 ? -1 : id;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Whether the text is the letter then 1 to 16 hex digits. */
  static boolean isTextId(String text, char letter) {
    if (text.length() < 2 || text.length() > 17 || text.charAt(0) != letter) {
      return false;
    }
    for (int i = 1; i < text.length(); i++) {
      if (Character.digit(text.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }
}
