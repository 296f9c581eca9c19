package io.cellar.core.meta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.id.IdGenerator;
import io.cellar.core.meta.backend.MetaBackend;
import io.cellar.core.meta.backend.MetaOp;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The object metadata tree of one instance: the commands {@code create_data}, {@code get_data},
 * {@code list_data}, {@code del_data}, {@code exists}, {@code persist}, {@code if_persist}, {@code
 * label}, {@code shallow_copy}, {@code clear} and the name commands, with vineyardd's semantics
 * ({@code reference/vineyard-ipc.md} §2.4, §2.5, §4, §6).
 *
 * <p>Blobs have no metadata here: an object's blob members are links that keep the blob's instance
 * id, and a bare blob's metadata is synthesized from the {@link BlobCatalog}.
 *
 * <p><b>Sharing.</b> As in the reference, a change is applied to this tree first, so local reads
 * see it at once, and then committed to the {@link MetaBackend}: persisted objects, names of
 * persisted objects, deletes of persisted objects and label or copy changes of persisted objects.
 * The methods that make such changes return the completion of the commit; the ones that touch only
 * transient objects complete at once and never reach the backend. Commits go out in the order the
 * changes were made ({@link CommitQueue}). A failed commit <em>keeps the local change</em>: rolling
 * it back would undo what local readers may already have acted on (a name bound to the object, a
 * reply saying it is persisted). The commit's future fails with a {@link CellarException} that says
 * the change is applied here but not shared; a failed persist is shared again by the next {@code
 * persist} of that object, and everything is shared again after a backend reset. Changes from other
 * instances come in through {@link RemoteChanges}.
 *
 * <p><b>Threading.</b> Thread-safe. One lock guards the whole tree; every method holds it for the
 * length of an in-memory update or read. The {@link BlobCatalog} and the backend are called only
 * outside that lock, and no future is waited for under it. Futures from {@link #awaitObjects} and
 * {@link #awaitName} are completed outside the lock, on the thread whose call satisfied them (or at
 * once); cancelling one removes it from the tree. Commit futures complete on the backend's thread,
 * or at once on the caller's.
 */
public final class MetaTree {
  private static final Logger LOG = LoggerFactory.getLogger(MetaTree.class);

  final Object lock = new Object();
  final ObjectTable table;
  final MetaWaiters waiters = new MetaWaiters();
  final CommitQueue commits;
  private final long instanceId;
  private final IdGenerator ids;
  private final BlobCatalog blobs;
  private final ObjectTreeIngest ingest;
  private final MetaNames names = new MetaNames(this);

  /**
   * An empty tree.
   *
   * @param instanceId this instance's id, stamped on synthesized blob metadata
   * @param ids the generator of object ids and signatures
   * @param backend where shared changes are committed; not closed by the tree
   * @param blobs the blob table, for blob ids
   */
  public MetaTree(long instanceId, IdGenerator ids, MetaBackend backend, BlobCatalog blobs) {
    this.instanceId = instanceId;
    this.ids = ids;
    this.blobs = blobs;
    this.table = new ObjectTable(instanceId);
    this.commits = new CommitQueue(backend, this::notShared);
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
   * ObjectTreeIngest} for the rules; a tree that fails them changes nothing. A tree created with
   * {@code transient: false} is shared, but its creation never waits for the commit (a failure is
   * logged, and the next {@code persist} of it shares it again).
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
      List<MetaOp> ops = new ArrayList<>();
      table.add(created, ops);
      commits.enqueue(ops); // only non-transient trees share anything; not waited for
      for (int top : tops) {
        StoredObject o = created.get(top);
        answers.add(new ObjectCreated(o.id, o.signature(), o.instanceId()));
      }
      ready = waiters.takeReady(this::existsLocked);
    }
    commits.flush();
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
   * Missing ids are not an error. The names of deleted objects are dropped; deletes of persisted
   * objects (and their names) are shared.
   *
   * @param ids object or blob ids
   * @param force delete referrers too
   * @param deep delete members too
   * @return the objects removed and the blobs of this instance the caller must free, at once; and
   *     the commit
   */
  public SharedChange<DeleteResult> delete(long[] ids, boolean force, boolean deep) {
    SharedChange<DeleteResult> change;
    synchronized (lock) {
      List<MetaOp> ops = new ArrayList<>();
      DeleteResult r = table.delete(ids, force, deep, ops);
      change = new SharedChange<>(r, commits.enqueue(ops));
    }
    commits.flush();
    return change;
  }

  /**
   * Deletes every object ({@code clear}), other instances' persisted objects included (as the
   * reference, whose {@code clear} deletes what {@code list_data} lists); those deletes are shared.
   *
   * @return every object removed and every blob to free (the blob members of this instance's
   *     objects and all sealed blobs of the catalog); and the commit
   */
  public SharedChange<DeleteResult> clear() {
    Set<Long> freed = new TreeSet<>(Long::compareUnsigned);
    for (long id : blobs.sealedBlobIds()) {
      if (BlobIds.isFreeable(id)) {
        freed.add(id);
      }
    }
    SharedChange<DeleteResult> change;
    synchronized (lock) {
      List<MetaOp> ops = new ArrayList<>();
      DeleteResult r = table.clear(freed, ops);
      change = new SharedChange<>(r, commits.enqueue(ops));
    }
    commits.flush();
    return change;
  }

  /**
   * The blob ids given plus the blob members, at any depth, of the objects given, that live on this
   * instance ({@code evict}, {@code load}, {@code unpin} of object ids). Unknown ids add nothing.
   *
   * @param ids blob or object ids
   * @return blob ids, never the empty blob, in ascending unsigned order
   */
  public long[] blobsOf(long[] ids) {
    synchronized (lock) {
      return ObjectTable.toArray(table.blobsOf(ids));
    }
  }

  // ---------------------------------------------------------------- persist, label, copy

  /**
   * Persists an object and its transient members, recursively ({@code persist}): they become {@code
   * transient: false} here at once and are shared with the object's signature. Persisting a
   * persisted object does nothing, unless its earlier share failed: then it is shared again.
   *
   * @param id the object
   * @return the commit
   * @throws CellarException AssertionFailed (7) for a blob id, MetaTreeSubtreeNotExists (27) for an
   *     unknown object
   */
  public CompletableFuture<Void> persist(long id) {
    if (ObjectIds.isBlob(id)) {
      throw new CellarException(
          StatusCode.ASSERTION_FAILED, "blob " + ObjectIds.toText(id) + " cannot be persisted");
    }
    CompletableFuture<Void> shared;
    synchronized (lock) {
      List<MetaOp> ops = new ArrayList<>();
      table.persist(table.requireSubtree(id), ops);
      shared = commits.enqueue(ops);
    }
    commits.flush();
    return shared;
  }

  /**
   * Whether an object is persisted ({@code if_persist}).
   *
   * @param id the object
   * @return true when persisted; false for blob ids
   * @throws CellarException MetaTreeSubtreeNotExists (27) for an unknown object
   */
  public boolean isPersisted(long id) {
    if (ObjectIds.isBlob(id)) {
      return false;
    }
    synchronized (lock) {
      return !table.requireSubtree(id).isTransient();
    }
  }

  /**
   * Adds labels ({@code label}), merged into the string field {@code __labels}, which holds a JSON
   * object as text. Later values replace earlier ones under the same key.
   *
   * @param id the object
   * @param keys label keys
   * @param values label values, as many as keys
   * @return the commit (done at once for a transient object)
   * @throws CellarException Invalid when the lists differ in length, ObjectNotExists (12) for an
   *     unknown object or a blob
   */
  public CompletableFuture<Void> label(long id, List<String> keys, List<String> values) {
    if (keys.size() != values.size()) {
      throw CellarException.invalid(
          "label: " + keys.size() + " keys but " + values.size() + " values");
    }
    CompletableFuture<Void> shared;
    synchronized (lock) {
      List<MetaOp> ops = new ArrayList<>();
      table.label(table.require(id), keys, values, ops);
      shared = commits.enqueue(ops);
    }
    commits.flush();
    return shared;
  }

  /**
   * Copies an object's metadata under a new id ({@code shallow_copy}): same members, same
   * signature, same attributes (except {@code __name}), plus {@code extra}'s fields. A persisted
   * source gives a persisted copy.
   *
   * @param id the source object
   * @param extra primitive fields to set on the copy, or null
   * @return the new object id (the copy exists here at once), once a persisted copy is shared
   * @throws CellarException MetaTreeSubtreeNotExists (27) for an unknown object, AssertionFailed
   *     (7) when {@code extra} is not an object of primitive values
   */
  public CompletableFuture<Long> shallowCopy(long id, ObjectNode extra) {
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
    CompletableFuture<Void> shared;
    synchronized (lock) {
      StoredObject source = table.requireSubtree(id);
      ObjectNode attributes = source.attributes.toObjectNode();
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
      List<MetaOp> ops = new ArrayList<>();
      table.add(List.of(copy), ops);
      shared = commits.enqueue(ops);
      copyId = copy.id;
      ready = waiters.takeReady(this::existsLocked);
    }
    commits.flush();
    completeObjects(ready);
    return shared.thenApply(v -> copyId);
  }

  // ---------------------------------------------------------------- names

  /**
   * The name commands of this tree ({@code put_name}, {@code get_name}, {@code list_name}, {@code
   * drop_name}), under the same lock.
   *
   * @return the names
   */
  public MetaNames names() {
    return names;
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

  /**
   * Ends the tree: later commits and those not yet handed to the backend fail with AlreadyStopped,
   * and every pending {@link #awaitObjects}/{@link #awaitName} future fails with AlreadyStopped.
   * Idempotent.
   */
  public void close() {
    commits.close();
    List<CompletableFuture<?>> pending;
    synchronized (lock) {
      pending = waiters.takeAll();
    }
    CellarException stopped =
        new CellarException(StatusCode.ALREADY_STOPPED, "the metadata tree is closed");
    for (CompletableFuture<?> f : pending) {
      f.completeExceptionally(stopped);
    }
  }

  // ---------------------------------------------------------------- internals

  /** A commit failed: the objects it would have shared are shared again by the next persist. */
  private void notShared(List<MetaOp> ops, Throwable cause) {
    LOG.warn(
        "{} metadata changes are applied here but not shared: {}", ops.size(), cause.toString());
    synchronized (lock) {
      for (MetaOp op : ops) {
        if (op instanceof MetaOp.PutObject put) {
          table.markUnshared(put.id());
        }
      }
    }
  }

  boolean existsLocked(long id) {
    return ObjectIds.isBlob(id) || table.contains(id);
  }

  private long blobSize(long id) {
    return id == ObjectIds.EMPTY_BLOB ? 0 : blobs.blobSize(id);
  }

  void completeObjects(List<MetaWaiters.ObjectWaiter> ready) {
    for (MetaWaiters.ObjectWaiter w : ready) {
      w.future.complete(get(w.ids));
    }
  }
}
