package io.cellar.etcd;

/**
 * What an etcd key under the session prefix means in the reference's layout ({@link
 * KeyLayout#parse}). Immutable.
 */
sealed interface ParsedKey {
  /** {@code /data/o<16 hex>}: a persisted object. */
  record ObjectKey(long id) implements ParsedKey {}

  /** {@code /data/o<16 hex>/__name}: the name stored beside an object. */
  record ObjectNameKey(long id) implements ParsedKey {}

  /** {@code /names/<escaped name>}. */
  record NameKey(String name) implements ParsedKey {}

  /** {@code /signatures/i<N>/s<16 hex>}. */
  record SignatureKey(long instanceId, long signature) implements ParsedKey {}

  /** {@code /instances/i<N>/<field>}. */
  record InstanceKey(long instanceId, String field) implements ParsedKey {}

  /** {@code /next_instance_id}. */
  record NextInstanceIdKey() implements ParsedKey {}

  /** {@code /meta_sync_lock…}: the reference's lock keys, never metadata. */
  record LockKey() implements ParsedKey {}

  /** Outside this session's prefix (another session, another program). */
  record ForeignKey() implements ParsedKey {}

  /**
   * Under the prefix but of no shape the reference writes.
   *
   * @param why what is wrong with it
   */
  record UnknownKey(String why) implements ParsedKey {}
}
