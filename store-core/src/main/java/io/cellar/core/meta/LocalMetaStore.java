package io.cellar.core.meta;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.ObjectIds;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-memory {@link MetaStore} of {@code vineyardd --meta=local}: nothing leaves the process,
 * there is one instance (id 0 unless configured), and commits are map updates.
 *
 * <p>Thread-safe: every method synchronizes on this object; the metadata lock is a separate
 * reentrant lock.
 */
public final class LocalMetaStore implements MetaStore {
  private final long instanceId;
  private final Map<Long, ObjectNode> objects = new HashMap<>();
  private final Map<String, Long> names = new HashMap<>();
  private final Map<String, Long> signatures = new HashMap<>();
  private final Set<String> userLocks = new HashSet<>();
  private final ReentrantLock metadataLock = new ReentrantLock();
  private ObjectNode instance;

  /** A store for instance 0, the id vineyardd uses with local metadata. */
  public LocalMetaStore() {
    this(0);
  }

  /**
   * A store for a given instance id.
   *
   * @param instanceId the id {@link #registerInstance(ObjectNode)} assigns
   */
  public LocalMetaStore(long instanceId) {
    this.instanceId = instanceId;
  }

  @Override
  public synchronized long registerInstance(ObjectNode record) {
    instance = record.deepCopy();
    return instanceId;
  }

  @Override
  public synchronized ObjectNode instances() {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    if (instance != null) {
      out.set(ObjectIds.instanceText(instanceId), instance.deepCopy());
    }
    return out;
  }

  @Override
  public synchronized void putObjects(Map<Long, ObjectNode> updates) {
    updates.forEach((id, tree) -> objects.put(id, tree.deepCopy()));
  }

  @Override
  public synchronized void deleteObjects(Collection<Long> ids) {
    ids.forEach(objects::remove);
  }

  @Override
  public synchronized Map<Long, ObjectNode> objects() {
    Map<Long, ObjectNode> out = new HashMap<>();
    objects.forEach((id, tree) -> out.put(id, tree.deepCopy()));
    return out;
  }

  @Override
  public synchronized void putSignature(long instance, long signature, long id) {
    signatures.put(signatureKey(instance, signature), id);
  }

  @Override
  public synchronized long signatureObject(long instance, long signature) {
    Long id = signatures.get(signatureKey(instance, signature));
    return id == null ? ObjectIds.INVALID : id;
  }

  @Override
  public synchronized void putName(String name, long id) {
    names.put(name, id);
  }

  @Override
  public synchronized void dropName(String name) {
    names.remove(name);
  }

  @Override
  public synchronized Map<String, Long> names() {
    return new TreeMap<>(names);
  }

  @Override
  public Held lockMetadata() {
    metadataLock.lock();
    return new Held() {
      private boolean held = true;

      @Override
      public void close() {
        if (held) {
          held = false;
          metadataLock.unlock();
        }
      }
    };
  }

  @Override
  public synchronized String tryLock(String key) {
    return userLocks.add(key) ? key : null;
  }

  @Override
  public synchronized boolean unlock(String key) {
    return userLocks.remove(key);
  }

  @Override
  public void close() {}

  private static String signatureKey(long instance, long signature) {
    return ObjectIds.instanceText(instance) + "/" + ObjectIds.signatureText(signature);
  }
}
