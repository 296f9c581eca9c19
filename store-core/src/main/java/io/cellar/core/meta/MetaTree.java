package io.cellar.core.meta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.id.IdGenerator;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectCreated;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.StatusCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The object metadata tree of one instance: the commands {@code create_data}, {@code get_data},
 * {@code list_data}, {@code del_data}, {@code exists}, {@code persist}, {@code if_persist}, {@code
 * label}, {@code shallow_copy}, {@code clear} and the name commands, with vineyardd's semantics
 * ({@code reference/vineyard-ipc.md} §2.4, §2.5, §4, §6).
 *
 * <p>Blobs have no metadata here: an object's blob members are links that keep the blob's instance
 * id, and a bare blob's metadata is synthesized from the {@link BlobCatalog}. Persisted objects and
 * names are written through to the {@link MetaStore}; the tree starts empty (loading a shared
 * backend's objects is not done here).
 *
 * <p><b>Threading.</b> Thread-safe. One lock guards the whole tree; every method holds it for the
 * length of an in-memory update or read, plus the {@link MetaStore} writes of that update. The
 * {@link BlobCatalog} is called only outside that lock. Futures from {@link #awaitObjects} and
 * {@link #awaitName} are completed outside the lock, on the thread whose call satisfied them (or at
 * once); cancelling one removes it from the tree.
 */
public final class MetaTree {
  private final Object lock = new Object();
  private final long instanceId;
  private final IdGenerator ids;
  private final BlobCatalog blobs;

  private final ObjectTable table;
  private final MetaWaiters waiters = new MetaWaiters();
  private final ObjectTreeIngest ingest;

  /**
   * An empty tree.
   *
   * @param instanceId this instance's id, stamped on synthesized blob metadata
   * @param ids the generator of object ids and signatures
   * @param metaStore where persisted objects and names are written
   * @param blobs the blob table, for blob ids
   */
  public MetaTree(long instanceId, IdGenerator ids, MetaStore metaStore, BlobCatalog blobs) {
    this.instanceId = instanceId;
    this.ids = ids;
    this.blobs = blobs;
    this.table = new ObjectTable(metaStore);
    this.ingest = new ObjectTreeIngest(ids, System::currentTimeMillis, table::find);
  }

  /**
   * This instance's id.
   *
   * @return the id given at construction
   */
  public long instanceId() {
    return instanceId;
  }

  // ---------------------------------------------------------------- create

  /**
   * Creates an object and its new nested members ({@code create_data}). See {@link
   * ObjectTreeIngest} for the rules; a tree that fails them changes nothing.
   *
   * @param content the metadata tree; not retained or changed
   * @return the new id, its signature and its computed instance id
   * @throws CellarException MetaTreeInvalid (21), AssertionFailed (7), ObjectNotExists (12),
   *     GlobalObjectInvalid (51) or Invalid (1), as the reference
   */
  public ObjectCreated create(ObjectNode content) {
    return createMany(List.of(content)).getFirst();
  }

  /**
   * Creates several objects ({@code create_datas}), all or none.
   *
   * @param contents the metadata trees, in order; later ones may not refer to earlier ones
   * @return one answer per tree, in order
   * @throws CellarException as {@link #create(ObjectNode)}; then nothing is created
   */
  public List<ObjectCreated> createMany(List<ObjectNode> contents) {
    List<ObjectCreated> answers = new ArrayList<>(contents.size());
    List<MetaWaiters.ObjectWaiter> ready;
    synchronized (lock) {
      List<StoredObject> created = new ArrayList<>();
      List<Integer> tops = new ArrayList<>();
      for (ObjectNode content : contents) {
        ingest.ingest(content, created);
        tops.add(created.size() - 1);
      }
      table.add(created);
      for (int top : tops) {
        StoredObject o = created.get(top);
        answers.add(new ObjectCreated(o.id, o.signature(), o.instanceId()));
      }
      ready = waiters.takeReady(this::existsLocked);
    }
    completeObjects(ready);
    return answers;
  }

  // ---------------------------------------------------------------- read

  /**
   * The metadata of objects ({@code get_data}), keyed {@code "o<hex>"}, in the reference's shape:
   * each tree with {@code id}, {@code signature}, {@code instance_id}, {@code typename}, {@code
   * transient}, {@code __timestamp} and its attributes; members expanded inline; blob members as
   * {@code length: 0} stubs. A blob id gives {@code {id, typename: "vineyard::Blob", length: N,
   * nbytes: N, transient: true, instance_id}} from the catalog. Missing ids are absent.
   *
   * @param ids object or blob ids
   * @return a new node, owned by the caller
   */
  public ObjectNode get(long[] ids) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    List<Long> blobIds = new ArrayList<>();
    synchronized (lock) {
      for (long id : ids) {
        if (ObjectIds.isBlob(id)) {
          blobIds.add(id);
        } else {
          StoredObject o = table.find(id);
          if (o != null) {
            out.set(ObjectIds.toText(id), table.render(o));
          }
        }
      }
    }
    for (long id : blobIds) {
      long size = blobSize(id);
      if (size >= 0) {
        out.set(ObjectIds.toText(id), ObjectTreeRenderer.blobStub(id, instanceId, size));
      }
    }
    return out;
  }

  /**
   * Like {@link #get(long[])}, once every object id exists ({@code get_data} with {@code wait}).
   * Blob ids are not waited for. Completes at once when all exist, else on the thread whose create
   * brings the last one; the content is read at completion, so an object deleted in between is
   * absent. Cancelling the future unregisters it.
   *
   * @param ids object ids
   * @return the future content
   */
  public CompletableFuture<ObjectNode> awaitObjects(long[] ids) {
    long[] wanted = ids.clone();
    CompletableFuture<ObjectNode> future = new CompletableFuture<>();
    MetaWaiters.ObjectWaiter waiter = new MetaWaiters.ObjectWaiter(wanted, future);
    boolean ready = true;
    synchronized (lock) {
      for (long id : wanted) {
        if (!existsLocked(id)) {
          ready = false;
          break;
        }
      }
      if (!ready) {
        waiters.addObjects(waiter);
      }
    }
    if (ready) {
      future.complete(get(wanted));
    } else {
      future.whenComplete(
          (r, e) -> {
            synchronized (lock) {
              waiters.forget(waiter);
            }
          });
    }
    return future;
  }

  /**
   * Lists objects whose typename matches ({@code list_data}), then sealed blobs if the pattern,
   * read as a glob even when {@code regex} is set (as the reference does), matches {@code
   * vineyard::Blob}; at most {@code limit} entries, objects in id order. Unlike the reference,
   * which lists nothing for a malformed regex, that is an error here.
   *
   * @param pattern an fnmatch glob, or a regex matching the whole typename when {@code regex}
   * @param regex whether the pattern is a regular expression
   * @param limit the most entries; 0 or less gives none
   * @return a new node keyed as {@link #get(long[])}
   * @throws CellarException Invalid for a malformed regular expression
   */
  public ObjectNode list(String pattern, boolean regex, int limit) {
    Predicate<String> match = TypenameMatcher.compile(pattern, regex);
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    synchronized (lock) {
      for (long id : table.ids()) {
        if (out.size() >= limit) {
          break;
        }
        StoredObject o = table.find(id);
        if (match.test(o.typename())) {
          out.set(ObjectIds.toText(id), table.render(o));
        }
      }
    }
    // as the reference, blobs are added when the pattern read as a glob matches, even with regex
    if (out.size() < limit
        && TypenameMatcher.compile(pattern, false).test(StoredObject.BLOB_TYPENAME)) {
      long[] sealed = blobs.sealedBlobIds().clone();
      Arrays.sort(sealed);
      for (long id : sealed) {
        if (out.size() >= limit) {
          break;
        }
        long size = blobSize(id);
        if (size >= 0) {
          out.set(ObjectIds.toText(id), ObjectTreeRenderer.blobStub(id, instanceId, size));
        }
      }
    }
    return out;
  }

  /**
   * Whether an object or blob exists ({@code exists}): blob ids are answered by the catalog (the
   * empty blob always exists), other ids by the tree.
   *
   * @param id the id
   * @return true when it exists
   */
  public boolean exists(long id) {
    if (ObjectIds.isBlob(id)) {
      return blobSize(id) >= 0;
    }
    synchronized (lock) {
      return table.contains(id);
    }
  }

  /**
   * How many objects (not blobs) the tree holds.
   *
   * @return the count
   */
  public long objectCount() {
    synchronized (lock) {
      return table.size();
    }
  }

  // ---------------------------------------------------------------- delete

  /**
   * Deletes objects ({@code del_data}) with the reference's rules (see {@link DeletionPlanner}):
   * blob members go with their parent unless another remaining object refers to them; {@code deep}
   * also deletes member objects no remaining object refers to; without {@code force} an object
   * still a member of another stays; {@code force} also deletes the objects referring to it.
   * Missing ids are not an error. The names of deleted objects are dropped; persisted ones are
   * removed from the {@link MetaStore}. ({@code fastpath}, blob ids only, never reaches the tree.)
   *
   * @param ids object or blob ids
   * @param force delete referrers too
   * @param deep delete members too
   * @return the objects removed and the blobs the caller must free
   */
  public DeleteResult delete(long[] ids, boolean force, boolean deep) {
    synchronized (lock) {
      return table.delete(ids, force, deep);
    }
  }

  /**
   * The blob ids given plus the blob members, at any depth, of the objects given ({@code evict},
   * {@code load}, {@code unpin} of object ids). Unknown ids add nothing.
   *
   * @param ids blob or object ids
   * @return blob ids, never the empty blob, in ascending unsigned order
   */
  public long[] blobsOf(long[] ids) {
    synchronized (lock) {
      return ObjectTable.toArray(table.blobsOf(ids));
    }
  }

  /**
   * Deletes every object ({@code clear}).
   *
   * @return every object removed and every blob to free: the blob members of the objects and all
   *     sealed blobs of the catalog
   */
  public DeleteResult clear() {
    Set<Long> freed = new TreeSet<>(Long::compareUnsigned);
    for (long id : blobs.sealedBlobIds()) {
      if (BlobIds.isFreeable(id)) {
        freed.add(id);
      }
    }
    synchronized (lock) {
      return table.clear(freed);
    }
  }

  // ---------------------------------------------------------------- persist, label, copy

  /**
   * Persists an object and its transient members, recursively ({@code persist}): they become {@code
   * transient: false} and are written to the {@link MetaStore}, with the object's signature.
   * Persisting a persisted object does nothing.
   *
   * @param id the object
   * @throws CellarException AssertionFailed (7) for a blob id, ObjectNotExists (12) for an unknown
   *     object
   */
  public void persist(long id) {
    if (ObjectIds.isBlob(id)) {
      throw new CellarException(
          StatusCode.ASSERTION_FAILED, "blob " + ObjectIds.toText(id) + " cannot be persisted");
    }
    synchronized (lock) {
      table.persist(table.require(id));
    }
  }

  /**
   * Whether an object is persisted ({@code if_persist}).
   *
   * @param id the object
   * @return true when persisted; false for blob ids
   * @throws CellarException ObjectNotExists (12) for an unknown object
   */
  public boolean isPersisted(long id) {
    if (ObjectIds.isBlob(id)) {
      return false;
    }
    synchronized (lock) {
      return !table.require(id).isTransient();
    }
  }

  /**
   * Adds labels ({@code label}), merged into the string field {@code __labels}, which holds a JSON
   * object as text. Later values replace earlier ones under the same key.
   *
   * @param id the object
   * @param keys label keys
   * @param values label values, as many as keys
   * @throws CellarException Invalid when the lists differ in length, ObjectNotExists (12) for an
   *     unknown object or a blob
   */
  public void label(long id, List<String> keys, List<String> values) {
    if (keys.size() != values.size()) {
      throw CellarException.invalid(
          "label: " + keys.size() + " keys but " + values.size() + " values");
    }
    synchronized (lock) {
      table.label(table.require(id), keys, values);
    }
  }

  /**
   * Copies an object's metadata under a new id ({@code shallow_copy}): same members, same
   * signature, same attributes (except {@code __name}), plus {@code extra}'s fields. A persisted
   * source gives a persisted copy.
   *
   * @param id the source object
   * @param extra primitive fields to set on the copy, or null
   * @return the new object id
   * @throws CellarException ObjectNotExists (12) for an unknown object, AssertionFailed (7) when
   *     {@code extra} is not an object of primitive values
   */
  public long shallowCopy(long id, ObjectNode extra) {
    if (extra != null) {
      for (Map.Entry<String, JsonNode> e : extra.properties()) {
        if (e.getValue().isContainerNode()) {
          throw new CellarException(
              StatusCode.ASSERTION_FAILED,
              "The value of items in 'extra_metadata' must be primitives");
        }
      }
    }
    List<MetaWaiters.ObjectWaiter> ready;
    long copyId;
    synchronized (lock) {
      StoredObject source = table.require(id);
      ObjectNode attributes = source.attributes.deepCopy();
      attributes.remove(StoredObject.NAME);
      Map<String, MemberLink> members = new LinkedHashMap<>(source.members);
      if (extra != null) {
        for (Map.Entry<String, JsonNode> e : extra.properties()) {
          if (!e.getKey().equals("id")) {
            members.remove(e.getKey());
            attributes.set(e.getKey(), e.getValue().deepCopy());
          }
        }
      }
      StoredObject copy = new StoredObject(ids.nextObjectId(), attributes, members);
      table.add(List.of(copy));
      copyId = copy.id;
      ready = waiters.takeReady(this::existsLocked);
    }
    completeObjects(ready);
    return copyId;
  }

  // ---------------------------------------------------------------- names

  /**
   * Names a persisted object ({@code put_name}), replacing the name's earlier binding; sets the
   * object's {@code __name} and writes both to the {@link MetaStore}.
   *
   * @param name the name
   * @param id the object
   * @throws CellarException Invalid for a blob or a transient object, ObjectNotExists (12) for an
   *     unknown object
   */
  public void putName(String name, long id) {
    if (ObjectIds.isBlob(id)) {
      throw CellarException.invalid("blobs cannot have name: " + ObjectIds.toText(id));
    }
    List<CompletableFuture<Long>> ready;
    synchronized (lock) {
      table.putName(name, table.require(id));
      ready = waiters.takeName(name);
    }
    for (CompletableFuture<Long> f : ready) {
      f.complete(id);
    }
  }

  /**
   * The object a name points to ({@code get_name}).
   *
   * @param name the name
   * @return the object id
   * @throws CellarException ObjectNotExists (12) for an unknown name
   */
  public long getName(String name) {
    synchronized (lock) {
      Long id = table.name(name);
      if (id == null) {
        throw CellarException.notExists("name '" + name + "' does not exist");
      }
      return id;
    }
  }

  /**
   * Completes with the object id once the name exists ({@code get_name} with {@code wait}): at
   * once, or on the thread whose {@link #putName} binds it. Cancelling unregisters it.
   *
   * @param name the name
   * @return the future id
   */
  public CompletableFuture<Long> awaitName(String name) {
    CompletableFuture<Long> future = new CompletableFuture<>();
    synchronized (lock) {
      Long id = table.name(name);
      if (id != null) {
        future.complete(id);
        return future;
      }
      waiters.addName(name, future);
    }
    future.whenComplete(
        (r, e) -> {
          synchronized (lock) {
            waiters.forgetName(name, future);
          }
        });
    return future;
  }

  /**
   * Names matching a pattern ({@code list_name}).
   *
   * @param pattern an fnmatch glob, or a whole-name regex when {@code regex}
   * @param regex whether the pattern is a regular expression
   * @param limit the most entries; 0 or less gives none
   * @return a new map, name to id, in name order
   * @throws CellarException Invalid for a malformed regular expression
   */
  public Map<String, Long> listNames(String pattern, boolean regex, int limit) {
    Predicate<String> match = TypenameMatcher.compile(pattern, regex);
    synchronized (lock) {
      return table.listNames(match, Math.max(0, limit));
    }
  }

  /**
   * Removes a name ({@code drop_name}) and the object's {@code __name}; an unknown name is not an
   * error.
   *
   * @param name the name
   */
  public void dropName(String name) {
    synchronized (lock) {
      table.dropName(name);
    }
  }

  /**
   * How many futures are waiting (for leak checks in tests and status reports).
   *
   * @return pending object and name waiters
   */
  public int pendingWaiters() {
    synchronized (lock) {
      return waiters.size();
    }
  }

  // ---------------------------------------------------------------- internals

  private boolean existsLocked(long id) {
    return ObjectIds.isBlob(id) || table.contains(id);
  }

  private long blobSize(long id) {
    return id == ObjectIds.EMPTY_BLOB ? 0 : blobs.blobSize(id);
  }

  private void completeObjects(List<MetaWaiters.ObjectWaiter> ready) {
    for (MetaWaiters.ObjectWaiter w : ready) {
      w.future.complete(get(w.ids));
    }
  }
}
