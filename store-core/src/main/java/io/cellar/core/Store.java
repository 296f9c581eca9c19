package io.cellar.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.blob.BlobStore;
import io.cellar.core.config.StoreConfig;
import io.cellar.core.id.IdGenerator;
import io.cellar.core.memory.HeapHeadroom;
import io.cellar.core.meta.BlobCatalog;
import io.cellar.core.meta.BlobIds;
import io.cellar.core.meta.DeleteResult;
import io.cellar.core.meta.MetaTree;
import io.cellar.core.meta.RemoteChanges;
import io.cellar.core.meta.SharedChange;
import io.cellar.core.meta.backend.InstanceFacts;
import io.cellar.core.meta.backend.InstanceRecord;
import io.cellar.core.meta.backend.MetaBackend;
import io.cellar.core.meta.backend.MetaSnapshot;
import io.cellar.core.meta.backend.Registration;
import io.cellar.core.meta.local.LocalMetaBackend;
import io.cellar.core.stream.StreamChunks;
import io.cellar.core.stream.StreamTable;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectCreated;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.Payload;
import io.cellar.protocol.StatusCode;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embeddable engine: shared-memory blobs plus the object metadata tree, with the semantics of
 * vineyardd's commands. A JVM program uses it in-process with no socket; the server maps each
 * protocol command onto one call here.
 *
 * <p><b>Owners.</b> Every reference to a blob is held by an <em>owner</em>: a client connection, or
 * an in-process user. {@link #openOwner()} hands out an owner token; {@link #closeOwner(long)}
 * drops all of its references and reclaims the blobs it created but never sealed.
 *
 * <p><b>Metadata backend.</b> The store is handed a {@link MetaBackend} ({@link #open(StoreConfig)}
 * uses the in-memory {@link LocalMetaBackend}); it registers with it (the instance id comes from
 * that registration), loads its snapshot and watches for other instances' changes. Changes other
 * instances must see (persist, names of persisted objects, deletes, labels and copies of persisted
 * objects) are applied here first, so local reads see them at once, and then committed: the methods
 * that make them return the commit's completion as a future, which fails if the commit fails (the
 * local change stays; see {@link MetaTree}). Transient objects never reach the backend, and the put
 * path ({@link #createBlob}, {@link #seal}, {@link #createData}) never waits for it.
 *
 * <p><b>Threading.</b> All methods are thread-safe. Calls are short (microseconds) except those
 * that spill or reload blobs to disk; those are documented. No call waits for a commit: futures
 * complete on the backend's thread (or at once, with the local backend).
 *
 * <p><b>Memory.</b> Segments returned here view the store's shared arena. They stay valid while the
 * caller's owner holds a reference to the blob: memory is reused only after the last reference is
 * gone, even when the blob is deleted first.
 *
 * <p><b>Closing is a leak check.</b> {@link #close()} releases everything and then fails if owners
 * were still open or blobs still held ({@link StoreReport}); {@link #closeAndReport()} closes the
 * same way and returns the report instead, for a server that has closed its connections first and
 * logs what is left; {@link #outstanding()} reports without closing.
 */
public final class Store implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Store.class);

  private final StoreConfig config;
  private final MetaBackend backend;
  private final Registration registration;
  private final BlobStore blobs;
  private final MetaTree meta;
  private final RemoteChanges remote;
  private final StreamTable streams;
  private final HeapHeadroom heap = HeapHeadroom.ofJvm();
  private final AtomicLong ownerIds = new AtomicLong();
  private final Set<Long> openOwners = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile AutoCloseable watch;

  private Store(
      StoreConfig config,
      MetaBackend backend,
      Registration registration,
      IdGenerator ids,
      BlobStore blobs) {
    this.config = config;
    this.backend = backend;
    this.registration = registration;
    this.blobs = blobs;
    this.meta = new MetaTree(registration.instanceId(), ids, backend, new Catalog(blobs));
    this.remote = new RemoteChanges(meta);
    this.streams = new StreamTable(new Chunks(this), config.streamThreshold());
  }

  /** Stream chunks as the stream table sees them: blobs of this store, objects of its tree. */
  private record Chunks(Store store) implements StreamChunks {
    @Override
    public Payload allocate(long owner, long size) {
      return store.createBlob(owner, size);
    }

    @Override
    public void seal(long owner, long blobId) {
      if (blobId == ObjectIds.EMPTY_BLOB) {
        return;
      }
      store.blobs.seal(owner, blobId);
      store.blobs.release(owner, blobId); // the stream holds the chunk now, not its writer
    }

    @Override
    public void discard(long owner, long chunkId) {
      long who = owner == StreamTable.NO_OWNER ? BlobStore.NO_OWNER : owner;
      if (ObjectIds.isBlob(chunkId)) {
        store.blobs.delete(who, BlobIds.freeableOf(new long[] {chunkId}));
        return;
      }
      store
          .delete(who, new long[] {chunkId}, false, true, false)
          .whenComplete(
              (v, t) -> {
                if (t != null) {
                  LOG.warn(
                      "sharing the delete of stream chunk {} failed: {}", chunkId, t.toString());
                }
              });
    }

    @Override
    public long memoryUsage() {
      return store.blobs.memoryUsage();
    }

    @Override
    public long memoryLimit() {
      return store.blobs.memoryLimit();
    }
  }

  /** The blob table seen by the metadata tree: sizes and the list of sealed blobs. */
  private record Catalog(BlobStore blobs) implements BlobCatalog {
    @Override
    public long blobSize(long id) {
      return id == ObjectIds.EMPTY_BLOB ? 0 : blobs.size(id);
    }

    @Override
    public long[] sealedBlobIds() {
      return LongStream.of(blobs.ids()).filter(blobs::isSealed).toArray();
    }
  }

  /**
   * Opens a store with local metadata ({@code --meta=local}, instance 0): creates its arena and,
   * with a spill path, checks that it is writable.
   *
   * @param config the configuration
   * @return the open store
   * @throws CellarException when the arena cannot be created or the spill path is not writable
   */
  public static Store open(StoreConfig config) {
    return open(config, new LocalMetaBackend(), InstanceFacts.NONE);
  }

  /**
   * Opens a store on a metadata backend: registers with it (the instance id comes from the
   * registration), creates the arena, loads the backend's snapshot into the tree and watches for
   * other instances' changes from the snapshot's revision. Blocks for the backend's registration
   * and load (bounded by its timeout).
   *
   * @param config the configuration
   * @param backend the backend; the store owns it from now on and closes it on close, or when this
   *     call fails
   * @param facts what this instance publishes about itself
   * @return the open store
   * @throws CellarException when the backend cannot be reached, the arena cannot be created or the
   *     spill path is not writable
   */
  public static Store open(StoreConfig config, MetaBackend backend, InstanceFacts facts) {
    if (config == null || backend == null || facts == null) {
      if (backend != null) {
        backend.close();
      }
      throw CellarException.invalid("no store configuration, backend or instance facts");
    }
    try {
      Registration registration = backend.register(facts);
      IdGenerator ids = new IdGenerator(registration.instanceId());
      BlobStore blobs = new BlobStore(config, ids);
      try {
        Store store = new Store(config, backend, registration, ids, blobs);
        store.join();
        return store;
      } catch (RuntimeException e) {
        blobs.closeAndReport();
        throw e;
      }
    } catch (RuntimeException e) {
      backend.close();
      throw e;
    }
  }

  /** Loads the shared metadata and starts the watch right after it. */
  private void join() {
    MetaSnapshot snapshot = backend.load();
    free(remote.load(snapshot));
    watch =
        backend.watch(
            snapshot.revision(), new ClusterListener(remote, blobs, registration.instanceId()));
  }

  private void free(DeleteResult deleted) {
    if (deleted.blobIds().length > 0) {
      blobs.delete(BlobStore.NO_OWNER, deleted.blobIds());
    }
  }

  private static void requireBlobId(long id) {
    if (!ObjectIds.isBlob(id)) {
      throw new CellarException(
          StatusCode.OBJECT_NOT_EXISTS, "not a blob id: " + ObjectIds.toText(id));
    }
  }

  /**
   * The configuration this store was opened with.
   *
   * @return the configuration
   */
  public StoreConfig config() {
    return config;
  }

  /**
   * This store's instance id, as its metadata backend assigned it.
   *
   * @return the instance id (0 with local metadata)
   */
  public long instanceId() {
    return registration.instanceId();
  }

  // ---------------------------------------------------------------- owners

  /**
   * A new owner token for a connection or an in-process user.
   *
   * @return a token never handed out before by this store
   */
  public long openOwner() {
    long owner = ownerIds.incrementAndGet();
    openOwners.add(owner);
    return owner;
  }

  /**
   * Ends an owner: drops every blob reference it holds and reclaims blobs it created and never
   * sealed. The streams it was writing fail and the streams it was reading are dropped ({@link
   * StreamTable#ownerClosed}). Idempotent.
   *
   * @param owner the token
   */
  public void closeOwner(long owner) {
    streams.ownerClosed(owner);
    blobs.releaseOwner(owner);
    openOwners.remove(owner);
  }

  // ---------------------------------------------------------------- blobs

  /**
   * Creates an unsealed, writable blob ({@code create_buffer}). Size 0 gives {@link Payload#EMPTY}.
   * The owner holds no reference until it seals; if it goes away before sealing, the blob is
   * reclaimed. Touches no page of the blob, but with a spill path it may first spill cold blobs to
   * make room (file I/O).
   *
   * @param owner the creating owner
   * @param size the blob length in bytes
   * @return where the blob lives
   * @throws CellarException {@code NotEnoughMemory} (41) when the limit is hit and nothing can be
   *     spilled, or when the heap that holds the metadata is full ({@link HeapHeadroom})
   */
  public Payload createBlob(long owner, long size) {
    if (size < 0) {
      throw CellarException.invalid("blob size must not be negative: " + size);
    }
    heap.require("a blob");
    return blobs.create(owner, size);
  }

  /**
   * Creates several blobs at once ({@code create_buffers}): all or none.
   *
   * @param owner the creating owner
   * @param sizes the lengths
   * @return one payload per size, in order
   */
  public List<Payload> createBlobs(long owner, long[] sizes) {
    for (long s : sizes) {
      if (s < 0) {
        throw CellarException.invalid("blob size must not be negative: " + s);
      }
    }
    heap.require(sizes.length + " blobs");
    return blobs.createMany(owner, sizes);
  }

  /**
   * Seals a blob ({@code seal}): it becomes immutable and readable, and the owner takes a
   * reference.
   *
   * @param owner the sealing owner
   * @param blobId the blob
   * @throws CellarException {@code ObjectNotExists} (12); sealing again is not an error
   */
  public void seal(long owner, long blobId) {
    requireBlobId(blobId);
    blobs.seal(owner, blobId);
  }

  /**
   * Gets blobs ({@code get_buffers}): missing ids are skipped, the empty blob gives {@link
   * Payload#EMPTY}, spilled blobs are reloaded first, and the owner takes a reference on each.
   *
   * @param owner the reading owner
   * @param ids blob ids
   * @param unsafe also return unsealed blobs
   * @return payloads of the blobs found, in request order
   * @throws CellarException {@code ObjectNotSealed} (14) for an unsealed blob unless {@code unsafe}
   */
  public List<Payload> getBlobs(long owner, long[] ids, boolean unsafe) {
    return blobs.get(owner, ids, unsafe);
  }

  /**
   * Adds the owner's reference to each blob ({@code increase_reference_count}); at most one per
   * owner per blob.
   *
   * @param owner the owner
   * @param ids blob ids; an id that names no blob is recorded for the owner, holding nothing, so
   *     that {@link #release} accepts it once, as the reference does
   */
  public void increaseReferences(long owner, long[] ids) {
    for (long id : ids) {
      blobs.addReference(owner, id);
    }
  }

  /**
   * Drops the owner's reference to a blob ({@code release}).
   *
   * @param owner the owner
   * @param blobId the blob
   * @throws CellarException {@code KeyError} (2) when the owner holds no reference now (to any id),
   *     {@code ObjectNotExists} (12) when it holds others but not this one (the reference's codes)
   */
  public void release(long owner, long blobId) {
    blobs.release(owner, blobId);
  }

  /**
   * Removes a blob ({@code drop_buffer}); its memory is reused once no owner references it.
   *
   * @param blobId the blob
   * @throws CellarException {@code ObjectNotExists} (12)
   */
  public void dropBlob(long blobId) {
    requireBlobId(blobId);
    if (blobId == ObjectIds.EMPTY_BLOB) {
      return; // nothing to drop; the reference accepts it
    }
    blobs.drop(blobId);
    heap.freed();
  }

  /**
   * Shrinks an unsealed blob ({@code shrink_buffer}).
   *
   * @param blobId the blob
   * @param size the new length, at most the current one
   */
  public void shrinkBlob(long blobId, long size) {
    requireBlobId(blobId);
    blobs.shrink(blobId, size);
  }

  /**
   * Whether a blob is in a spill file now ({@code is_spilled}).
   *
   * @param blobId the blob
   * @return true when spilled
   */
  public boolean isSpilled(long blobId) {
    return ObjectIds.isBlob(blobId) && blobs.isSpilled(blobId);
  }

  /**
   * Whether a blob is in use ({@code is_in_use}): false only for a sealed blob no owner references
   * (in memory or evicted), true for any other id, as the reference answers (see {@link
   * BlobStore#isInUse}).
   *
   * @param blobId the blob, or any id
   * @return false when it is a cold blob
   */
  public boolean isInUse(long blobId) {
    return blobs.isInUse(blobId);
  }

  /**
   * Spills the given cold blobs now ({@code evict}). Does file I/O.
   *
   * @param ids blob ids (object ids expand to their blobs)
   */
  public void evict(long[] ids) {
    blobs.evict(meta.blobsOf(ids));
  }

  /**
   * Reloads spilled blobs, optionally pinning them against spilling ({@code load}). Does file I/O.
   *
   * @param ids blob ids (object ids expand to their blobs)
   * @param pin also pin them
   */
  public void load(long[] ids, boolean pin) {
    blobs.load(meta.blobsOf(ids), pin);
  }

  /**
   * Unpins blobs ({@code unpin}).
   *
   * @param ids blob ids (object ids expand to their blobs)
   */
  public void unpin(long[] ids) {
    blobs.unpin(meta.blobsOf(ids));
  }

  /**
   * A view of a blob's bytes for in-process use: writable while unsealed, read-only once sealed.
   * Valid while the caller's owner holds a reference (or, for an unsealed blob, until it is sealed
   * or dropped).
   *
   * @param blobId the blob
   * @return the segment, exactly the blob's length
   */
  public MemorySegment blobSegment(long blobId) {
    if (blobId == ObjectIds.EMPTY_BLOB) {
      return MemorySegment.NULL.asReadOnly();
    }
    requireBlobId(blobId);
    return blobs.segment(blobId);
  }

  /**
   * The file descriptor behind an arena key ({@link Payload#storeFd()}), for passing to clients.
   *
   * @param storeFd the arena key
   * @return the OS file descriptor number in this process
   * @throws CellarException {@code Invalid} for an unknown key
   */
  public int arenaFileDescriptor(int storeFd) {
    return blobs.fileDescriptor(storeFd);
  }

  // ---------------------------------------------------------------- metadata

  /**
   * Creates an object from its metadata tree ({@code create_data}).
   *
   * @param content the metadata: {@code typename} and {@code instance_id} required
   * @return the new id, signature and instance id
   * @throws CellarException {@code NotEnoughMemory} (41) when the heap that holds the metadata is
   *     full ({@link HeapHeadroom})
   */
  public ObjectCreated createData(ObjectNode content) {
    if (content == null) {
      throw new CellarException(StatusCode.META_TREE_INVALID, "no metadata content");
    }
    heap.require("an object");
    return meta.create(content);
  }

  /**
   * The metadata of objects ({@code get_data}), keyed {@code "o<hex>"}; missing ids are absent.
   *
   * @param ids object or blob ids
   * @return a new object node
   */
  public ObjectNode getData(long[] ids) {
    return meta.get(ids);
  }

  /**
   * Like {@link #getData(long[])}, completed once every id exists ({@code get_data} with {@code
   * wait}). Completes on the thread that created the last missing object, or at once.
   *
   * @param ids object ids
   * @return the future content
   */
  public CompletableFuture<ObjectNode> awaitData(long[] ids) {
    return meta.awaitObjects(ids);
  }

  /**
   * Lists objects whose typename matches ({@code list_data}).
   *
   * @param pattern a glob, or a regex when {@code regex}
   * @param regex whether the pattern is a regular expression
   * @param limit the most results
   * @return the content, keyed as in {@link #getData(long[])}
   */
  public ObjectNode listData(String pattern, boolean regex, int limit) {
    return meta.list(pattern, regex, limit);
  }

  /**
   * Deletes objects ({@code del_data}): blob members always go with their parent; {@code deep} also
   * deletes members; without {@code force} an object or blob that is a member of another stays (the
   * Python client's {@code delete(blob)} of a member deletes nothing); {@code force} also deletes
   * the objects that refer to it; {@code fastpath} takes the ids as blob ids and skips the
   * metadata. Missing ids are not an error. The deletion is done here at once: the deleting owner's
   * own references to the deleted blobs go with them, and blob memory is reused once no other owner
   * references it. Deletes of persisted objects are then shared.
   *
   * @param owner the deleting owner (its references are dropped), or {@link BlobStore#NO_OWNER}
   * @param ids the ids
   * @param force delete referrers too
   * @param deep delete members too
   * @param fastpath blob ids only, skip the metadata
   * @return the ids of the blobs deleted, once the deletes are shared
   */
  public CompletableFuture<long[]> delete(
      long owner, long[] ids, boolean force, boolean deep, boolean fastpath) {
    if (fastpath) {
      long[] freed = blobs.delete(owner, BlobIds.freeableOf(ids));
      heap.freed();
      return CompletableFuture.completedFuture(freed);
    }
    // Only what the planner selected is freed: a requested blob that is still a member of a
    // live object stays unless force (which deletes that object too), as in the reference.
    SharedChange<DeleteResult> change = meta.delete(ids, force, deep);
    long[] freed = blobs.delete(owner, change.result().blobIds());
    heap.freed();
    return change.committed().thenApply(v -> freed);
  }

  /**
   * Whether an object or blob exists ({@code exists}). The empty blob, which needs no memory and is
   * not stored, does not exist, as in the reference.
   *
   * @param id the id
   * @return true when it exists
   */
  public boolean exists(long id) {
    if (ObjectIds.isBlob(id)) {
      // the empty blob is not in the blob table: the reference answers false for it too
      return id != ObjectIds.EMPTY_BLOB && blobs.exists(id);
    }
    return meta.exists(id);
  }

  /**
   * Persists an object and its transient members ({@code persist}): persisted here at once, then
   * shared.
   *
   * @param id the object
   * @return completes once shared
   * @throws CellarException AssertionFailed (7) for a blob, ObjectNotExists (12) for an unknown id
   */
  public CompletableFuture<Void> persist(long id) {
    if (ObjectIds.isBlob(id)) {
      throw new CellarException(StatusCode.ASSERTION_FAILED, "The blobs cannot be persisted");
    }
    return meta.persist(id);
  }

  /**
   * Whether an object is persisted ({@code if_persist}); false for blobs.
   *
   * @param id the object
   * @return true when persisted
   */
  public boolean isPersisted(long id) {
    return !ObjectIds.isBlob(id) && meta.isPersisted(id);
  }

  /**
   * Adds labels to an object ({@code label}), merged into {@code __labels}.
   *
   * @param id the object
   * @param keys label keys
   * @param values label values, as many as keys
   * @return completes once shared (at once for a transient object)
   */
  public CompletableFuture<Void> label(long id, List<String> keys, List<String> values) {
    return meta.label(id, keys, values);
  }

  /**
   * Copies an object's metadata under a new id ({@code shallow_copy}), sharing its members.
   *
   * @param id the source object
   * @param extra extra primitive fields to set on the copy, or null
   * @return the new object id (the copy exists here at once), once a persisted copy is shared
   */
  public CompletableFuture<Long> shallowCopy(long id, ObjectNode extra) {
    heap.require("a copy of an object");
    return meta.shallowCopy(id, extra);
  }

  /**
   * Deletes every object and blob ({@code clear}), here at once; the deletes of persisted objects
   * are then shared.
   *
   * @return completes once shared
   */
  public CompletableFuture<Void> clear() {
    SharedChange<DeleteResult> removed = meta.clear();
    long[] all =
        LongStream.concat(LongStream.of(removed.result().blobIds()), LongStream.of(blobs.ids()))
            .distinct()
            .toArray();
    blobs.delete(all);
    heap.freed();
    return removed.committed();
  }

  // ---------------------------------------------------------------- names

  /**
   * Names a persisted object ({@code put_name}): visible here at once, then shared.
   *
   * @param name the name
   * @param id the object
   * @return completes once shared
   * @throws CellarException Invalid for a blob or a transient object, ObjectNotExists (12)
   */
  public CompletableFuture<Void> putName(String name, long id) {
    return meta.names().put(name, id);
  }

  /**
   * The object a name points to ({@code get_name}).
   *
   * @param name the name
   * @return the object id
   * @throws CellarException {@code ObjectNotExists} (12) for an unknown name
   */
  public long getName(String name) {
    return meta.names().get(name);
  }

  /**
   * Completes once the name exists ({@code get_name} with {@code wait}), here or on another
   * instance whose change has reached this one.
   *
   * @param name the name
   * @return the future object id
   */
  public CompletableFuture<Long> awaitName(String name) {
    return meta.names().await(name);
  }

  /**
   * Names matching a pattern ({@code list_name}).
   *
   * @param pattern a glob, or a regex when {@code regex}
   * @param regex whether the pattern is a regular expression
   * @param limit the most results
   * @return name to object id, in name order
   */
  public Map<String, Long> listNames(String pattern, boolean regex, int limit) {
    return meta.names().list(pattern, regex, limit);
  }

  /**
   * Removes a name ({@code drop_name}) here at once, then shares that; an unknown name is not an
   * error.
   *
   * @param name the name
   * @return completes once shared (at once for an unknown name)
   */
  public CompletableFuture<Void> dropName(String name) {
    return meta.names().drop(name);
  }

  // ---------------------------------------------------------------- streams

  /**
   * This store's streams ({@code create_stream}, {@code open_stream}, {@code
   * get_next_stream_chunk}, {@code push_next_stream_chunk}, {@code pull_next_stream_chunk}, {@code
   * stop_stream}, {@code drop_stream}). Their chunks are this store's blobs and objects; an owner's
   * end ({@link #closeOwner}) ends its streams.
   *
   * @return the stream table, thread-safe
   */
  public StreamTable streams() {
    return streams;
  }

  // ---------------------------------------------------------------- cluster

  /**
   * Completes once every change committed anywhere in the cluster before this call has been applied
   * here ({@code sync_remote}). At once with local metadata.
   *
   * @return the backend revision reached
   */
  public CompletableFuture<Long> syncRemote() {
    return backend.sync();
  }

  /**
   * The registered instances, this one included ({@code cluster_meta}).
   *
   * @return the records, by instance id
   */
  public List<InstanceRecord> instances() {
    return backend.instances();
  }

  // ---------------------------------------------------------------- trim

  /**
   * Gives free shared memory back to the system ({@code memory_trim}; {@code del_data} with {@code
   * memory_trim=true}): see {@link BlobStore#trim()}. Takes the blob lock once per 32 MiB chunk;
   * may take milliseconds per GiB, so callers on an event loop should offload it.
   *
   * @return the bytes given back
   */
  public long trimMemory() {
    return blobs.trim();
  }

  // ---------------------------------------------------------------- status

  /**
   * Current counters ({@code instance_status}).
   *
   * @return a snapshot
   */
  public StoreStatus status() {
    return new StoreStatus(
        registration.instanceId(),
        blobs.memoryUsage(),
        blobs.memoryLimit(),
        meta.objectCount(),
        blobs.blobCount(),
        blobs.spilledCount(),
        blobs.memoryBacking());
  }

  // ---------------------------------------------------------------- close

  /**
   * What is still outstanding now: owners open, blobs referenced, blobs unsealed. For diagnostics;
   * closes nothing.
   *
   * @return a snapshot
   */
  public StoreReport outstanding() {
    return new StoreReport(sortedOpenOwners(), blobs.outstanding());
  }

  /**
   * Closes the store and reports what was still outstanding, without failing: stops the watch,
   * fails pending waits and unshared commits with AlreadyStopped, releases every blob whatever
   * holds it, unmaps and closes the arena, removes spill files, and closes the metadata backend
   * (which ends this instance's registration). A server closes its connections (and so its owners)
   * first, and then gets a clean report. Idempotent: a second call reports nothing.
   *
   * @return what was outstanding when it closed
   */
  public StoreReport closeAndReport() {
    if (!closed.compareAndSet(false, true)) {
      return StoreReport.CLEAN;
    }
    long[] owners = sortedOpenOwners();
    streams.close();
    try {
      AutoCloseable w = watch;
      if (w != null) {
        w.close();
      }
    } catch (Exception e) {
      LOG.warn("closing the metadata watch failed: {}", e.toString());
    }
    meta.close();
    try {
      return new StoreReport(owners, blobs.closeAndReport());
    } finally {
      openOwners.clear();
      backend.close();
    }
  }

  /**
   * Closes the store as {@link #closeAndReport()} does, then fails if anything was outstanding (a
   * leak check in the manner of Apache Arrow's allocator). Idempotent.
   *
   * @throws IllegalStateException naming the owners still open, the blobs still referenced with the
   *     owners holding them, and the blobs still unsealed; everything is released all the same
   */
  @Override
  public void close() {
    StoreReport report = closeAndReport();
    if (!report.isClean()) {
      throw new IllegalStateException("store closed with resources outstanding:\n" + report);
    }
  }

  private long[] sortedOpenOwners() {
    return openOwners.stream().mapToLong(Long::longValue).sorted().toArray();
  }
}
