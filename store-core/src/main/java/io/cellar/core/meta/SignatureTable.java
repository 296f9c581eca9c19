package io.cellar.core.meta;

import io.cellar.core.meta.backend.MetaOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which object carries a signature on which instance (the reference's {@code
 * /signatures/i<N>/s<hex>}): written when an object is persisted, learned from other instances, and
 * used to resolve the {@code l<s-signature>} member links of global objects.
 *
 * <p>Not thread-safe: owned by {@link ObjectTable} and touched only under {@link MetaTree}'s lock.
 */
final class SignatureTable {
  private record Key(long instanceId, long signature) {}

  private final Map<Key, Long> objects = new HashMap<>();
  private final Map<Long, Long> bySignature = new HashMap<>();
  private final Map<Long, Set<Key>> byObject = new HashMap<>();

  /** Records the object carrying a signature on an instance. */
  void put(long instanceId, long signature, long id) {
    Key key = new Key(instanceId, signature);
    Long old = objects.put(key, id);
    if (old != null) {
      unindex(old, key);
    }
    bySignature.put(signature, id);
    byObject.computeIfAbsent(id, k -> new HashSet<>()).add(key);
  }

  /** The object carrying a signature on any instance, or null. */
  Long object(long signature) {
    return bySignature.get(signature);
  }

  /** The object carrying a signature on an instance, or null. */
  Long object(long instanceId, long signature) {
    return objects.get(new Key(instanceId, signature));
  }

  /**
   * The objects carrying a signature on any instance, in no particular order.
   *
   * @param signature the signature
   * @return the object ids (each once)
   */
  Set<Long> objectsWith(long signature) {
    Set<Long> out = new HashSet<>();
    objects.forEach(
        (k, id) -> {
          if (k.signature() == signature) {
            out.add(id);
          }
        });
    return out;
  }

  /** Forgets the entries pointing to an object (it was deleted). */
  void dropObject(long id) {
    Set<Key> keys = byObject.remove(id);
    if (keys != null) {
      for (Key k : keys) {
        objects.remove(k);
        bySignature.remove(k.signature(), id);
      }
    }
  }

  /** Forgets every entry of an instance (it is gone). */
  void dropInstance(long instanceId) {
    for (Iterator<Map.Entry<Key, Long>> it = objects.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Key, Long> e = it.next();
      if (e.getKey().instanceId() == instanceId) {
        bySignature.remove(e.getKey().signature(), e.getValue());
        unindex(e.getValue(), e.getKey());
        it.remove();
      }
    }
  }

  /** The entries of an instance, as the ops that share them. */
  List<MetaOp> entriesOf(long instanceId) {
    List<MetaOp> out = new ArrayList<>();
    objects.forEach(
        (k, id) -> {
          if (k.instanceId() == instanceId) {
            out.add(new MetaOp.PutSignature(k.instanceId(), k.signature(), id));
          }
        });
    return out;
  }

  /** Drops everything. */
  void clear() {
    objects.clear();
    bySignature.clear();
    byObject.clear();
  }

  private void unindex(long id, Key key) {
    Set<Key> keys = byObject.get(id);
    if (keys != null && keys.remove(key) && keys.isEmpty()) {
      byObject.remove(id);
    }
  }
}
