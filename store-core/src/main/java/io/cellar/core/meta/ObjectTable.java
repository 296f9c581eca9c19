package io.cellar.core.meta;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectIds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The state of the metadata tree and its invariants: the objects, their member edges and names,
 * kept consistent with each other and written through to the {@link MetaStore} for persisted
 * objects. {@link MetaTree} adds locking, waiting and blobs on top.
 *
 * <p>Not thread-safe: every method must be called under {@link MetaTree}'s lock.
 */
final class ObjectTable {
  private final MetaStore metaStore;
  private final Map<Long, StoredObject> objects = new HashMap<>();
  private final MemberGraph graph = new MemberGraph();
  private final NameTable names = new NameTable();
  private final ObjectTreeRenderer renderer = new ObjectTreeRenderer(objects::get);
  private final DeletionPlanner planner = new DeletionPlanner(graph);

  ObjectTable(MetaStore metaStore) {
    this.metaStore = metaStore;
  }

  /** The object with an id, or null (always null for blob ids). */
  StoredObject find(long id) {
    return objects.get(id);
  }

  /** The object with an id, or ObjectNotExists (12). */
  StoredObject require(long id) {
    StoredObject o = ObjectIds.isBlob(id) ? null : objects.get(id);
    if (o == null) {
      throw CellarException.notExists("object " + ObjectIds.toText(id) + " does not exist");
    }
    return o;
  }

  boolean contains(long id) {
    return objects.containsKey(id);
  }

  int size() {
    return objects.size();
  }

  /** All object ids, ascending. */
  Set<Long> ids() {
    return new TreeSet<>(objects.keySet());
  }

  /** The {@code get_data} tree of an object. */
  ObjectNode render(StoredObject o) {
    return renderer.render(o);
  }

  /** Adds new objects (members before holders); persisted ones are written through first. */
  void add(List<StoredObject> created) {
    Map<Long, ObjectNode> persisted = new LinkedHashMap<>();
    for (StoredObject o : created) {
      if (!o.isTransient()) {
        persisted.put(o.id, PersistedForm.encode(o, id -> find(id, created)));
      }
    }
    if (!persisted.isEmpty()) {
      metaStore.putObjects(persisted);
    }
    for (StoredObject o : created) {
      objects.put(o.id, o);
      for (MemberLink link : o.members.values()) {
        graph.link(o.id, link.id());
      }
    }
  }

  /** Deletes by the reference's rules (see {@link DeletionPlanner}). */
  DeleteResult delete(long[] ids, boolean force, boolean deep) {
    Set<Long> removed = new TreeSet<>();
    Set<Long> freed = new TreeSet<>(Long::compareUnsigned);
    for (long id : planner.plan(ids, force, deep)) {
      if (ObjectIds.isBlob(id)) {
        if (BlobIds.isFreeable(id)) {
          freed.add(id);
        }
      } else if (objects.containsKey(id)) {
        removed.add(id);
      }
    }
    remove(removed);
    return new DeleteResult(toArray(removed), toArray(freed));
  }

  /** Removes every object; {@code freed} gets their blob members. */
  DeleteResult clear(Set<Long> freed) {
    Set<Long> removed = ids();
    for (StoredObject o : objects.values()) {
      for (MemberLink link : o.members.values()) {
        if (BlobIds.isFreeable(link.id())) {
          freed.add(link.id());
        }
      }
    }
    remove(removed);
    graph.clear();
    return new DeleteResult(toArray(removed), toArray(freed));
  }

  /** Persists an object and its transient members, recursively. */
  void persist(StoredObject top) {
    List<StoredObject> toPersist = new ArrayList<>();
    collectTransient(top, toPersist);
    if (toPersist.isEmpty()) {
      return;
    }
    Map<Long, ObjectNode> writes = new LinkedHashMap<>();
    for (StoredObject o : toPersist) {
      writes.put(o.id, PersistedForm.encode(o, objects::get));
    }
    metaStore.putObjects(writes);
    metaStore.putSignature(top.instanceId(), top.signature(), top.id);
    for (StoredObject o : toPersist) {
      o.attributes.put(StoredObject.TRANSIENT, false);
    }
  }

  /** Merges labels into {@code __labels}. */
  void label(StoredObject o, List<String> keys, List<String> values) {
    String current = o.attributes.path(StoredObject.LABELS).asText("");
    o.attributes.set(StoredObject.LABELS, TextNode.valueOf(LabelText.merge(current, keys, values)));
    writeThroughIfPersisted(o);
  }

  /** Binds a name to a persisted object, moving it off its former object. */
  void putName(String name, StoredObject o) {
    if (o.isTransient()) {
      throw CellarException.invalid("transient objects cannot have name, please persist it first");
    }
    Long previous = names.get(name);
    metaStore.putName(name, o.id);
    if (previous != null && previous != o.id) {
      clearNameAttribute(previous, name);
    }
    names.put(name, o.id);
    o.attributes.set(StoredObject.NAME, TextNode.valueOf(name));
    writeThroughIfPersisted(o);
  }

  /** The object a name points to, or null. */
  Long name(String name) {
    return names.get(name);
  }

  Map<String, Long> listNames(Predicate<String> match, int limit) {
    return names.list(match, limit);
  }

  /** Removes a name and the object's {@code __name}; unknown names are ignored. */
  void dropName(String name) {
    Long id = names.get(name);
    if (id != null) {
      metaStore.dropName(name);
      names.drop(name);
      clearNameAttribute(id, name);
    }
  }

  /** The blob members, at any depth, of the given objects; blob ids as given. */
  Set<Long> blobsOf(long[] ids) {
    Set<Long> out = new TreeSet<>(Long::compareUnsigned);
    Set<Long> visited = new HashSet<>();
    for (long id : ids) {
      if (ObjectIds.isBlob(id)) {
        if (BlobIds.isFreeable(id)) {
          out.add(id);
        }
      } else {
        walkBlobs(id, visited, out);
      }
    }
    return out;
  }

  private void walkBlobs(long id, Set<Long> visited, Set<Long> out) {
    StoredObject o = objects.get(id);
    if (o == null || !visited.add(id)) {
      return;
    }
    for (MemberLink link : o.members.values()) {
      if (!ObjectIds.isBlob(link.id())) {
        walkBlobs(link.id(), visited, out);
      } else if (BlobIds.isFreeable(link.id())) {
        out.add(link.id());
      }
    }
  }

  static long[] toArray(Set<Long> ids) {
    return ids.stream().mapToLong(Long::longValue).toArray();
  }

  private StoredObject find(long id, List<StoredObject> pending) {
    StoredObject o = objects.get(id);
    if (o == null) {
      for (StoredObject p : pending) {
        if (p.id == id) {
          return p;
        }
      }
    }
    return o;
  }

  /** Removes objects already detached from the graph, with their names and persisted copies. */
  private void remove(Set<Long> removed) {
    List<Long> persisted = new ArrayList<>();
    for (long id : removed) {
      StoredObject o = objects.remove(id);
      graph.forget(id);
      if (!o.isTransient()) {
        persisted.add(id);
      }
      for (String name : names.dropObject(id)) {
        metaStore.dropName(name);
      }
    }
    if (!persisted.isEmpty()) {
      metaStore.deleteObjects(persisted);
    }
  }

  private void collectTransient(StoredObject o, List<StoredObject> out) {
    if (!o.isTransient() || out.contains(o)) {
      return;
    }
    out.add(o);
    for (MemberLink link : o.members.values()) {
      StoredObject member = ObjectIds.isBlob(link.id()) ? null : objects.get(link.id());
      if (member != null) {
        collectTransient(member, out);
      }
    }
  }

  private void clearNameAttribute(long id, String name) {
    StoredObject o = objects.get(id);
    if (o != null && name.equals(o.attributes.path(StoredObject.NAME).asText(null))) {
      o.attributes.remove(StoredObject.NAME);
      writeThroughIfPersisted(o);
    }
  }

  private void writeThroughIfPersisted(StoredObject o) {
    if (!o.isTransient()) {
      metaStore.putObjects(Map.of(o.id, PersistedForm.encode(o, objects::get)));
    }
  }
}
