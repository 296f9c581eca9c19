package io.cellar.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.blob.BlobStore;
import io.cellar.core.id.IdGenerator;
import io.cellar.core.meta.BlobCatalog;
import io.cellar.core.meta.BlobIds;
import io.cellar.core.meta.DeleteResult;
import io.cellar.core.meta.LocalMetaStore;
import io.cellar.core.meta.MetaStore;
import io.cellar.core.meta.MetaTree;
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

/**
 * The embeddable engine: shared-memory blobs plus the object metadata tree, with the semantics of
 * vineyardd's commands. A JVM program uses it in-process with no socket; the server maps each
 * protocol command onto one call here.
 *
 * <p><b>Owners.</b> Every reference to a blob is held by an <em>owner</em>: a client connection, or
 * an in-process user. {@link #openOwner()} hands out an owner token; {@link #closeOwner(long)}
 * drops all of its references and reclaims the blobs it created but never sealed.
 *
 * <p><b>Threading.</b> All methods are thread-safe. Calls are short (microseconds) except those
 * that spill or reload blobs to disk; those are documented.
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
  private final StoreConfig config;
  private final BlobStore blobs;
  private final MetaStore metaStore;
  private final MetaTree meta;
  private final AtomicLong ownerIds = new AtomicLong();
  private final Set<Long> openOwners = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  private Store(StoreConfig config, IdGenerator ids, BlobStore blobs, MetaStore metaStore) {
    this.config = config;
    this.blobs = blobs;
    this.metaStore = metaStore;
    this.meta = new MetaTree(config.instanceId(), ids, metaStore, new Catalog(blobs));
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
   * Opens a store: creates its arena and, with a spill path, checks that it is writable.
   *
   * @param config the configuration
   * @return the open store
   * @throws CellarException when the arena cannot be created or the spill path is not writable
   */
  public static Store open(StoreConfig config) {
    if (config == null) {
      throw CellarException.invalid("no store configuration");
    }
    IdGenerator ids = new IdGenerator(config.instanceId());
    BlobStore blobs = new BlobStore(config, ids);
    return new Store(config, ids, blobs, new LocalMetaStore(config.instanceId()));
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
   * This store's instance id.
   *
   * @return the instance id (0 with local metadata)
   */
  public long instanceId() {
    return config.instanceId();
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
   * sealed. Idempotent.
   *
   * @param owner the token
   */
  public void closeOwner(long owner) {
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
   *     spilled
   */
  public Payload createBlob(long owner, long size) {
    if (size < 0) {
      throw CellarException.invalid("blob size must not be negative: " + size);
    }
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
    return blobs.createMany(owner, sizes);
  }

  /**
   * Seals a blob ({@code seal}): it becomes immutable and readable, and the owner takes a
   * reference.
   *
   * @param owner the sealing owner
   * @param blobId the blob
   * @throws CellarException {@code ObjectNotExists} (12), {@code ObjectSealed} (13)
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
   * @param ids blob ids; missing ones are skipped
   */
  public void increaseReferences(long owner, long[] ids) {
    for (long id : ids) {
      if (ObjectIds.isBlob(id) && id != ObjectIds.EMPTY_BLOB && blobs.exists(id)) {
        blobs.addReference(owner, id);
      }
    }
  }

  /**
   * Drops the owner's reference to a blob ({@code release}).
   *
   * @param owner the owner
   * @param blobId the blob
   * @throws CellarException {@code Invalid} when the owner holds no reference
   */
  public void release(long owner, long blobId) {
    if (blobId == ObjectIds.EMPTY_BLOB) {
      return;
    }
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
   * Whether a blob is in memory now ({@code is_in_use}).
   *
   * @param blobId the blob
   * @return true when in memory
   */
  public boolean isInUse(long blobId) {
    return ObjectIds.isBlob(blobId) && blobs.exists(blobId) && !blobs.isSpilled(blobId);
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
   */
  public ObjectCreated createData(ObjectNode content) {
    if (content == null) {
      throw new CellarException(StatusCode.META_TREE_INVALID, "no metadata content");
    }
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
   * metadata. Missing ids are not an error. The deleting owner's own references to the deleted
   * blobs go with them; blob memory is reused once no other owner references it.
   *
   * @param owner the deleting owner (its references are dropped), or {@link BlobStore#NO_OWNER}
   * @param ids the ids
   * @param force delete referrers too
   * @param deep delete members too
   * @param fastpath blob ids only, skip the metadata
   * @return the ids of the blobs deleted
   */
  public long[] delete(long owner, long[] ids, boolean force, boolean deep, boolean fastpath) {
    if (fastpath) {
      return blobs.delete(owner, BlobIds.freeableOf(ids));
    }
    // Only what the planner selected is freed: a requested blob that is still a member of a
    // live object stays unless force (which deletes that object too), as in the reference.
    return blobs.delete(owner, meta.delete(ids, force, deep).blobIds());
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
   * Persists an object and its transient members ({@code persist}).
   *
   * @param id the object
   */
  public void persist(long id) {
    if (ObjectIds.isBlob(id)) {
      throw new CellarException(StatusCode.ASSERTION_FAILED, "The blobs cannot be persisted");
    }
    meta.persist(id);
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
   */
  public void label(long id, List<String> keys, List<String> values) {
    meta.label(id, keys, values);
  }

  /**
   * Copies an object's metadata under a new id ({@code shallow_copy}), sharing its members.
   *
   * @param id the source object
   * @param extra extra primitive fields to set on the copy, or null
   * @return the new object id
   */
  public long shallowCopy(long id, ObjectNode extra) {
    return meta.shallowCopy(id, extra);
  }

  /** Deletes every object and blob ({@code clear}). */
  public void clear() {
    DeleteResult removed = meta.clear();
    long[] all =
        LongStream.concat(LongStream.of(removed.blobIds()), LongStream.of(blobs.ids()))
            .distinct()
            .toArray();
    blobs.delete(all);
  }

  // ---------------------------------------------------------------- names

  /**
   * Names a persisted object ({@code put_name}).
   *
   * @param name the name
   * @param id the object
   */
  public void putName(String name, long id) {
    meta.putName(name, id);
  }

  /**
   * The object a name points to ({@code get_name}).
   *
   * @param name the name
   * @return the object id
   * @throws CellarException {@code ObjectNotExists} (12) for an unknown name
   */
  public long getName(String name) {
    return meta.getName(name);
  }

  /**
   * Completes once the name exists ({@code get_name} with {@code wait}).
   *
   * @param name the name
   * @return the future object id
   */
  public CompletableFuture<Long> awaitName(String name) {
    return meta.awaitName(name);
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
    return meta.listNames(pattern, regex, limit);
  }

  /**
   * Removes a name ({@code drop_name}); an unknown name is not an error.
   *
   * @param name the name
   */
  public void dropName(String name) {
    meta.dropName(name);
  }

  // ---------------------------------------------------------------- status

  /**
   * Cluster metadata ({@code cluster_meta}): one {@code "i<N>"} entry per instance.
   *
   * @return a new object node
   */
  public ObjectNode clusterMeta() {
    return metaStore.instances();
  }

  /**
   * Current counters ({@code instance_status}).
   *
   * @return a snapshot
   */
  public StoreStatus status() {
    return new StoreStatus(
        config.instanceId(),
        blobs.memoryUsage(),
        blobs.memoryLimit(),
        meta.objectCount(),
        blobs.blobCount(),
        blobs.spilledCount());
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
   * Closes the store and reports what was still outstanding, without failing: releases every blob
   * whatever holds it, unmaps and closes the arena, removes spill files and closes the metadata
   * store. A server closes its connections (and so its owners) first, and then gets a clean report.
   * Idempotent: a second call reports nothing.
   *
   * @return what was outstanding when it closed
   */
  public StoreReport closeAndReport() {
    if (!closed.compareAndSet(false, true)) {
      return StoreReport.CLEAN;
    }
    long[] owners = sortedOpenOwners();
    try {
      return new StoreReport(owners, blobs.closeAndReport());
    } finally {
      openOwners.clear();
      try {
        metaStore.close();
      } catch (Exception e) {
        throw new CellarException(StatusCode.IO_ERROR, "closing the metadata store failed", e);
      }
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
