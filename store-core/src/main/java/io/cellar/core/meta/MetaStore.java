package io.cellar.core.meta;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.Map;

/**
 * The backend for metadata that outlives this instance's memory or is shared with other instances
 * ({@code --meta}): persisted objects, names, signatures, the instance registry and locks.
 *
 * <p>The logical keys are the reference's ({@code reference/vineyard-k8s.md} §4.2); an etcd backend
 * prefixes each with {@code <etcd_prefix>/S<16 hex session>}:
 *
 * <pre>
 *   /data/o&lt;16 hex&gt;               one persisted object, {@link #putObjects} form
 *   /names/&lt;name&gt;                   object id (number)
 *   /signatures/i&lt;N&gt;/s&lt;16 hex&gt;    object id string "o…"
 *   /instances/i&lt;N&gt;/…               instance records
 *   /next_instance_id               rank counter
 *   /meta_sync_lock                 the global write lock
 * </pre>
 *
 * <p>Objects are handed over in the reference's persisted encoding: one JSON object per id, without
 * {@code id}, {@code transient} false, string values prefixed {@code v}, members as link strings
 * {@code l<o-id>.<typename up to '<'>} and blob members as {@code l<o-id>.vineyard::Blob@<instance
 * id>}.
 *
 * <p>Implementations must be thread-safe. Calls may block on I/O; {@link MetaTree} calls the write
 * methods while holding its own lock, so they should be short.
 */
public interface MetaStore extends AutoCloseable {
  /** A held lock; closing releases it. */
  interface Held extends AutoCloseable {
    /** Releases the lock. Idempotent. */
    @Override
    void close();
  }

  /**
   * Registers this instance and assigns its id (the reference's rank from {@code
   * /next_instance_id}).
   *
   * @param record the fields of {@code /instances/i<N>} ({@code hostname}, {@code ipc_socket},
   *     {@code rpc_endpoint}, ...)
   * @return the instance id assigned
   */
  long registerInstance(ObjectNode record);

  /**
   * The instance registry, as {@code cluster_meta} returns it.
   *
   * @return a new object keyed {@code "i<N>"}
   */
  ObjectNode instances();

  /**
   * Writes persisted objects, all in one transaction where the backend has them.
   *
   * @param objects id to persisted encoding; the nodes are not retained or changed
   */
  void putObjects(Map<Long, ObjectNode> objects);

  /**
   * Removes persisted objects; unknown ids are ignored.
   *
   * @param ids object ids
   */
  void deleteObjects(Collection<Long> ids);

  /**
   * All persisted objects.
   *
   * @return a new map, id to persisted encoding
   */
  Map<Long, ObjectNode> objects();

  /**
   * Records the object carrying a signature on an instance ({@code /signatures/i<N>/s<hex>}).
   *
   * @param instanceId the instance
   * @param signature the signature
   * @param id the object id
   */
  void putSignature(long instanceId, long signature, long id);

  /**
   * The object carrying a signature on an instance.
   *
   * @param instanceId the instance
   * @param signature the signature
   * @return the object id, or -1 (2^64-1, the invalid id) when unknown
   */
  long signatureObject(long instanceId, long signature);

  /**
   * Binds a name to an object ({@code /names/<name>}), replacing an earlier binding.
   *
   * @param name the name
   * @param id the object id
   */
  void putName(String name, long id);

  /**
   * Removes a name; an unknown name is ignored.
   *
   * @param name the name
   */
  void dropName(String name);

  /**
   * All names.
   *
   * @return a new map, name to object id
   */
  Map<String, Long> names();

  /**
   * Takes the global metadata write lock ({@code /meta_sync_lock}), waiting as long as it takes.
   *
   * @return the held lock
   */
  Held lockMetadata();

  /**
   * Takes a user lock ({@code acquire_lock_request}) if it is free.
   *
   * @param key the lock key
   * @return the actual key held (the backend may qualify it), or null when someone holds it
   */
  String tryLock(String key);

  /**
   * Releases a user lock ({@code release_lock_request}).
   *
   * @param key the actual key returned by {@link #tryLock(String)}
   * @return true when it was held and is now released
   */
  boolean unlock(String key);

  /** Releases the backend's resources (connections, leases). Idempotent. */
  @Override
  void close();
}
