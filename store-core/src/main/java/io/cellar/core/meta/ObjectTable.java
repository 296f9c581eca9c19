package io.cellar.core.meta;

import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.cellar.core.id.IdGenerator;
import io.cellar.core.meta.backend.MetaOp;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.StatusCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The state of the metadata tree and its invariants: the objects, their member edges, names and
 * signatures, kept consistent with each other. Every change that other instances must see (a
 * persisted object written or removed, a name bound or dropped, a signature) is appended to the
 * caller's list of {@link MetaOp}s, in the order it was made; transient objects never produce one.
 * {@link MetaTree} adds locking, waiting, blobs and the commits on top; {@link RemoteChanges}
 * applies other instances' ops through the same methods and drops the ops they produce.
 *
 * <p>Blob members are freed only when they are this instance's: a blob member linked with another
 * instance's id has no memory here.
 *
 * <p>Not thread-safe: every method must be called under {@link MetaTree}'s lock.
 */
final class ObjectTable {
  private final long localInstance;
  private final Map<Long, StoredObject> objects = new HashMap<>();
  private final MemberGraph graph = new MemberGraph();
  private final NameTable names = new NameTable();
  private final SignatureTable signatures = new SignatureTable();
  private final Set<Long> unshared = new HashSet<>();
  private final ObjectTreeRenderer renderer = new ObjectTreeRenderer(objects::get);
  private final DeletionPlanner planner =
      new DeletionPlanner(
          graph,
          new DeletionPlanner.Equivalents() {
            @Override
            public Long of(long id) {
              return equivalentOf(id);
            }

            @Override
            public void repoint(long referrer, long deleted, long equivalent) {
              repointMembers(referrer, deleted, equivalent);
            }
          });

  ObjectTable(long localInstance) {
    this.localInstance = localInstance;
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

  /**
   * The object with an id, or MetaTreeSubtreeNotExists (27): what the reference answers where it
   * looks the object up as a subtree of its tree ({@code persist}, {@code if_persist}, {@code
   * shallow_copy}).
   */
  StoredObject requireSubtree(long id) {
    StoredObject o = ObjectIds.isBlob(id) ? null : objects.get(id);
    if (o == null) {
      throw new CellarException(
          StatusCode.META_TREE_SUBTREE_NOT_EXISTS, "get subtree failed: " + ObjectIds.toText(id));
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

  SignatureTable signatures() {
    return signatures;
  }

  /** Adds new objects (members before holders); persisted ones are shared. */
  void add(List<StoredObject> created, List<MetaOp> out) {
    for (StoredObject o : created) {
      if (!o.isTransient()) {
        out.add(new MetaOp.PutObject(o.id, PersistedForm.encode(o, id -> find(id, created))));
      }
    }
    for (StoredObject o : created) {
      put(o);
    }
  }

  /**
   * Adds an object, or replaces the one with its id and its member edges; shares nothing. Blobs of
   * other instances get no edge: blob ids are unique per instance only, and a remote blob that
   * happened to share a local blob's id would otherwise keep the local one from being freed (the
   * reference leaves remote blob references out of its graph for the same reason).
   */
  void put(StoredObject o) {
    StoredObject old = objects.put(o.id, o);
    if (old != null) {
      // a persisted form has no __name (the names carry it): a new version keeps the bound name
      String name = old.attributes.path(StoredObject.NAME).asText(null);
      Long bound = name == null ? null : names.get(name);
      if (bound != null && bound == o.id && !o.attributes.has(StoredObject.NAME)) {
        o.attributes.set(StoredObject.NAME, TextNode.valueOf(name));
      }
      for (MemberLink link : old.members.values()) {
        graph.unlink(o.id, link.id());
      }
    }
    for (MemberLink link : o.members.values()) {
      if (!ObjectIds.isBlob(link.id()) || link.instanceId() == localInstance) {
        graph.link(o.id, link.id());
      }
    }
  }

  /** Deletes by the reference's rules (see {@link DeletionPlanner}). */
  DeleteResult delete(long[] ids, boolean force, boolean deep, List<MetaOp> out) {
    return delete(ids, force, deep, false, out);
  }

  /**
   * Deletes by the reference's rules; with {@code prefersEquivalents} (deletes made elsewhere) the
   * referrers of an object with an equivalent refer to the equivalent instead of going too.
   */
  DeleteResult delete(
      long[] ids, boolean force, boolean deep, boolean prefersEquivalents, List<MetaOp> out) {
    Set<Long> local = new HashSet<>();
    for (long id : ids) {
      local.add(id); // a blob asked for by id is this instance's
    }
    Set<Long> removed = new TreeSet<>();
    Set<Long> blobs = new HashSet<>();
    for (long id : planner.plan(ids, force, deep, prefersEquivalents)) {
      if (ObjectIds.isBlob(id)) {
        blobs.add(id);
      } else if (objects.containsKey(id)) {
        removed.add(id);
      }
    }
    Set<Long> freed = new TreeSet<>(Long::compareUnsigned);
    for (long id : removed) {
      collectLocalBlobs(objects.get(id), local);
    }
    for (long id : blobs) {
      if (BlobIds.isFreeable(id) && local.contains(id)) {
        freed.add(id);
      }
    }
    remove(removed, out);
    return new DeleteResult(toArray(removed), toArray(freed));
  }

  /** Removes every object; {@code freed} gets their blob members that live here. */
  DeleteResult clear(Set<Long> freed, List<MetaOp> out) {
    Set<Long> removed = ids();
    Set<Long> local = new HashSet<>();
    for (StoredObject o : objects.values()) {
      collectLocalBlobs(o, local);
    }
    for (long id : local) {
      if (BlobIds.isFreeable(id)) {
        freed.add(id);
      }
    }
    remove(removed, out);
    graph.clear();
    return new DeleteResult(toArray(removed), toArray(freed));
  }

  /** The blob members, at any depth, of the given objects that live here; blob ids as given. */
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

  /** The ids of the objects that live on an instance. */
  List<Long> objectsOn(long instanceId) {
    List<Long> out = new ArrayList<>();
    for (StoredObject o : objects.values()) {
      if (o.instanceId() == instanceId) {
        out.add(o.id);
      }
    }
    return out;
  }

  /** Persists an object and its transient (or not yet shared) members, recursively. */
  void persist(StoredObject top, List<MetaOp> out) {
    List<StoredObject> toShare = new ArrayList<>();
    collectUnshared(top, toShare);
    if (toShare.isEmpty()) {
      return;
    }
    for (StoredObject o : toShare) {
      o.attributes.set(StoredObject.TRANSIENT, BooleanNode.FALSE);
      unshared.remove(o.id);
    }
    for (StoredObject o : toShare) {
      out.add(new MetaOp.PutObject(o.id, PersistedForm.encode(o, objects::get)));
    }
    signatures.put(top.instanceId(), top.signature(), top.id);
    out.add(new MetaOp.PutSignature(top.instanceId(), top.signature(), top.id));
  }

  /** Records objects whose share failed, so that the next persist of them shares them again. */
  void markUnshared(long id) {
    StoredObject o = objects.get(id);
    if (o != null && !o.isTransient()) {
      unshared.add(id);
    }
  }

  /** Merges labels into {@code __labels}. */
  void label(StoredObject o, List<String> keys, List<String> values, List<MetaOp> out) {
    String current = o.attributes.path(StoredObject.LABELS).asText("");
    o.attributes.set(StoredObject.LABELS, TextNode.valueOf(LabelText.merge(current, keys, values)));
    shareIfPersisted(o, out);
  }

  /** Binds a name to a persisted object, moving it off its former object. */
  void putName(String name, StoredObject o, List<MetaOp> out) {
    if (o.isTransient()) {
      throw CellarException.invalid("transient objects cannot have name, please persist it first");
    }
    Long previous = names.get(name);
    out.add(new MetaOp.PutName(name, o.id));
    if (previous != null && previous != o.id) {
      clearNameAttribute(previous, name);
    }
    names.put(name, o.id);
    // the name is shared by the PutName alone: the object's persisted form leaves __name out
    o.attributes.set(StoredObject.NAME, TextNode.valueOf(name));
  }

  /** The object a name points to, or null. */
  Long name(String name) {
    return names.get(name);
  }

  Map<String, Long> listNames(Predicate<String> match, int limit) {
    return names.list(match, limit);
  }

  /** Removes a name and the object's {@code __name}; unknown names are ignored. */
  void dropName(String name, List<MetaOp> out) {
    Long id = names.get(name);
    if (id != null) {
      out.add(new MetaOp.DropName(name));
      names.drop(name);
      clearNameAttribute(id, name);
    }
  }

  /**
   * What this instance shares, to commit again after the backend lost it: its persisted objects
   * (those on this instance, and the global ones it made), their signatures and names.
   */
  List<MetaOp> shared() {
    List<MetaOp> out = new ArrayList<>();
    Set<Long> mine = new HashSet<>();
    for (StoredObject o : objects.values()) {
      if (!o.isTransient() && isMine(o)) {
        mine.add(o.id);
        out.add(new MetaOp.PutObject(o.id, PersistedForm.encode(o, objects::get)));
      }
    }
    out.addAll(signatures.entriesOf(localInstance));
    names
        .list(n -> true, Integer.MAX_VALUE)
        .forEach(
            (name, id) -> {
              if (mine.contains(id)) {
                out.add(new MetaOp.PutName(name, id));
              }
            });
    return out;
  }

  static long[] toArray(Set<Long> ids) {
    return ids.stream().mapToLong(Long::longValue).toArray();
  }

  private boolean isMine(StoredObject o) {
    long instance = o.instanceId();
    return instance == localInstance
        || (instance == ObjectIds.UNSPECIFIED_INSTANCE
            && IdGenerator.instanceOf(o.id) == (localInstance & IdGenerator.INSTANCE_MASK));
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

  /** Another live object with the same signature (a migrated copy, say), or null. */
  private Long equivalentOf(long id) {
    StoredObject o = objects.get(id);
    if (o == null || !o.attributes.has(StoredObject.SIGNATURE)) {
      return null;
    }
    for (long other : signatures.objectsWith(o.signature())) {
      if (other != id && objects.containsKey(other)) {
        return other;
      }
    }
    return null;
  }

  /** Makes a referrer's member links to a deleted object point to its equivalent. */
  private void repointMembers(long referrer, long deleted, long equivalent) {
    StoredObject parent = objects.get(referrer);
    StoredObject copy = objects.get(equivalent);
    if (parent == null || copy == null) {
      return;
    }
    parent.members.replaceAll(
        (key, link) -> link.id() == deleted ? new MemberLink(equivalent, copy.instanceId()) : link);
  }

  private void collectLocalBlobs(StoredObject o, Set<Long> out) {
    for (MemberLink link : o.members.values()) {
      if (ObjectIds.isBlob(link.id()) && link.instanceId() == localInstance) {
        out.add(link.id());
      }
    }
  }

  private void walkBlobs(long id, Set<Long> visited, Set<Long> out) {
    StoredObject o = objects.get(id);
    if (o == null || !visited.add(id)) {
      return;
    }
    for (MemberLink link : o.members.values()) {
      if (!ObjectIds.isBlob(link.id())) {
        walkBlobs(link.id(), visited, out);
      } else if (link.instanceId() == localInstance && BlobIds.isFreeable(link.id())) {
        out.add(link.id());
      }
    }
  }

  /** Removes objects already detached from the graph, with their names and shared copies. */
  private void remove(Set<Long> removed, List<MetaOp> out) {
    for (long id : removed) {
      StoredObject o = objects.remove(id);
      graph.forget(id);
      unshared.remove(id);
      if (!o.isTransient()) {
        out.add(new MetaOp.DeleteObject(id));
        signatures.dropObject(id);
      }
      for (String name : names.dropObject(id)) {
        out.add(new MetaOp.DropName(name));
      }
    }
  }

  private void collectUnshared(StoredObject o, List<StoredObject> out) {
    if (!(o.isTransient() || unshared.contains(o.id)) || out.contains(o)) {
      return;
    }
    out.add(o);
    for (MemberLink link : o.members.values()) {
      StoredObject member = ObjectIds.isBlob(link.id()) ? null : objects.get(link.id());
      if (member != null) {
        collectUnshared(member, out);
      }
    }
  }

  private void clearNameAttribute(long id, String name) {
    StoredObject o = objects.get(id);
    if (o != null && name.equals(o.attributes.path(StoredObject.NAME).asText(null))) {
      o.attributes.remove(StoredObject.NAME);
    }
  }

  private void shareIfPersisted(StoredObject o, List<MetaOp> out) {
    if (!o.isTransient()) {
      out.add(new MetaOp.PutObject(o.id, PersistedForm.encode(o, objects::get)));
    }
  }
}
