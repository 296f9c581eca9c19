package io.cellar.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.blob.Payload;
import io.cellar.core.error.CellarException;
import io.cellar.core.error.StatusCode;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

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
 * that may populate fresh memory or spill/reload blobs to disk; those are documented.
 *
 * <p><b>Memory.</b> Segments returned here view the store's shared arena. They stay valid while the
 * caller's owner holds a reference to the blob: memory is reused only after the last reference is
 * gone, even when the blob is deleted first.
 */
public final class Store implements AutoCloseable {
  private Store() {}

  /**
   * Opens a store: creates its arena and, with a spill path, checks that it is writable.
   *
   * @param config the configuration
   * @return the open store
   * @throws CellarException when the arena cannot be created or the spill path is not writable
   */
  public static Store open(StoreConfig config) {
    throw notBuilt();
  }

  private static CellarException notBuilt() {
    return new CellarException(StatusCode.NOT_IMPLEMENTED, "Store is not built yet");
  }

  /**
   * The configuration this store was opened with.
   *
   * @return the configuration
   */
  public StoreConfig config() {
    throw notBuilt();
  }

  /**
   * This store's instance id.
   *
   * @return the instance id (0 with local metadata)
   */
  public long instanceId() {
    throw notBuilt();
  }

  // ---------------------------------------------------------------- owners

  /**
   * A new owner token for a connection or an in-process user.
   *
   * @return a token never handed out before by this store
   */
  public long openOwner() {
    throw notBuilt();
  }

  /**
   * Ends an owner: drops every blob reference it holds and reclaims blobs it created and never
   * sealed. Idempotent.
   *
   * @param owner the token
   */
  public void closeOwner(long owner) {
    throw notBuilt();
  }

  // ---------------------------------------------------------------- blobs

  /**
   * Creates an unsealed, writable blob ({@code create_buffer}). Size 0 gives {@link Payload#EMPTY}.
   * The owner holds no reference until it seals; if it goes away before sealing, the blob is
   * reclaimed. May populate fresh pages (cost proportional to size, no copy).
   *
   * @param owner the creating owner
   * @param size the blob length in bytes
   * @return where the blob lives
   * @throws CellarException {@code NotEnoughMemory} (41) when the limit is hit and nothing can be
   *     spilled
   */
  public Payload createBlob(long owner, long size) {
    throw notBuilt();
  }

  /**
   * Creates several blobs at once ({@code create_buffers}): all or none.
   *
   * @param owner the creating owner
   * @param sizes the lengths
   * @return one payload per size, in order
   */
  public List<Payload> createBlobs(long owner, long[] sizes) {
    throw notBuilt();
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
    throw notBuilt();
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
    throw notBuilt();
  }

  /**
   * Adds the owner's reference to each blob ({@code increase_reference_count}); at most one per
   * owner per blob.
   *
   * @param owner the owner
   * @param ids blob ids; missing ones are skipped
   */
  public void increaseReferences(long owner, long[] ids) {
    throw notBuilt();
  }

  /**
   * Drops the owner's reference to a blob ({@code release}).
   *
   * @param owner the owner
   * @param blobId the blob
   * @throws CellarException {@code Invalid} when the owner holds no reference
   */
  public void release(long owner, long blobId) {
    throw notBuilt();
  }

  /**
   * Removes a blob ({@code drop_buffer}); its memory is reused once no owner references it.
   *
   * @param blobId the blob
   * @throws CellarException {@code ObjectNotExists} (12)
   */
  public void dropBlob(long blobId) {
    throw notBuilt();
  }

  /**
   * Shrinks an unsealed blob ({@code shrink_buffer}).
   *
   * @param blobId the blob
   * @param size the new length, at most the current one
   */
  public void shrinkBlob(long blobId, long size) {
    throw notBuilt();
  }

  /**
   * Whether a blob is in a spill file now ({@code is_spilled}).
   *
   * @param blobId the blob
   * @return true when spilled
   */
  public boolean isSpilled(long blobId) {
    throw notBuilt();
  }

  /**
   * Whether a blob is in memory now ({@code is_in_use}).
   *
   * @param blobId the blob
   * @return true when in memory
   */
  public boolean isInUse(long blobId) {
    throw notBuilt();
  }

  /**
   * Spills the given cold blobs now ({@code evict}). Does file I/O.
   *
   * @param ids blob ids (object ids expand to their blobs)
   */
  public void evict(long[] ids) {
    throw notBuilt();
  }

  /**
   * Reloads spilled blobs, optionally pinning them against spilling ({@code load}). Does file I/O.
   *
   * @param ids blob ids (object ids expand to their blobs)
   * @param pin also pin them
   */
  public void load(long[] ids, boolean pin) {
    throw notBuilt();
  }

  /**
   * Unpins blobs ({@code unpin}).
   *
   * @param ids blob ids (object ids expand to their blobs)
   */
  public void unpin(long[] ids) {
    throw notBuilt();
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
    throw notBuilt();
  }

  /**
   * The file descriptor behind an arena key ({@link Payload#storeFd()}), for passing to clients.
   *
   * @param storeFd the arena key
   * @return the OS file descriptor number in this process
   * @throws CellarException {@code Invalid} for an unknown key
   */
  public int arenaFileDescriptor(int storeFd) {
    throw notBuilt();
  }

  // ---------------------------------------------------------------- metadata

  /**
   * Creates an object from its metadata tree ({@code create_data}).
   *
   * @param content the metadata: {@code typename} and {@code instance_id} required
   * @return the new id, signature and instance id
   */
  public ObjectCreated createData(ObjectNode content) {
    throw notBuilt();
  }

  /**
   * The metadata of objects ({@code get_data}), keyed {@code "o<hex>"}; missing ids are absent.
   *
   * @param ids object or blob ids
   * @return a new object node
   */
  public ObjectNode getData(long[] ids) {
    throw notBuilt();
  }

  /**
   * Like {@link #getData(long[])}, completed once every id exists ({@code get_data} with {@code
   * wait}). Completes on the thread that created the last missing object, or at once.
   *
   * @param ids object ids
   * @return the future content
   */
  public CompletableFuture<ObjectNode> awaitData(long[] ids) {
    throw notBuilt();
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
    throw notBuilt();
  }

  /**
   * Deletes objects ({@code del_data}): blob members always go with their parent; {@code deep} also
   * deletes members; without {@code force} an object that is a member of another stays; {@code
   * force} also deletes the objects that refer to it; {@code fastpath} skips metadata for blobs.
   * Missing ids are not an error. Blob memory is reused only once unreferenced.
   *
   * @param ids the ids
   * @param force delete referrers too
   * @param deep delete members too
   * @param fastpath blob ids only, skip the metadata
   * @return the ids of the blobs deleted
   */
  public long[] delete(long[] ids, boolean force, boolean deep, boolean fastpath) {
    throw notBuilt();
  }

  /**
   * Whether an object or blob exists ({@code exists}).
   *
   * @param id the id
   * @return true when it exists
   */
  public boolean exists(long id) {
    throw notBuilt();
  }

  /**
   * Persists an object and its transient members ({@code persist}).
   *
   * @param id the object
   */
  public void persist(long id) {
    throw notBuilt();
  }

  /**
   * Whether an object is persisted ({@code if_persist}); false for blobs.
   *
   * @param id the object
   * @return true when persisted
   */
  public boolean isPersisted(long id) {
    throw notBuilt();
  }

  /**
   * Adds labels to an object ({@code label}), merged into {@code __labels}.
   *
   * @param id the object
   * @param keys label keys
   * @param values label values, as many as keys
   */
  public void label(long id, List<String> keys, List<String> values) {
    throw notBuilt();
  }

  /**
   * Copies an object's metadata under a new id ({@code shallow_copy}), sharing its members.
   *
   * @param id the source object
   * @param extra extra primitive fields to set on the copy, or null
   * @return the new object id
   */
  public long shallowCopy(long id, ObjectNode extra) {
    throw notBuilt();
  }

  /** Deletes every object and blob ({@code clear}). */
  public void clear() {
    throw notBuilt();
  }

  // ---------------------------------------------------------------- names

  /**
   * Names a persisted object ({@code put_name}).
   *
   * @param name the name
   * @param id the object
   */
  public void putName(String name, long id) {
    throw notBuilt();
  }

  /**
   * The object a name points to ({@code get_name}).
   *
   * @param name the name
   * @return the object id
   * @throws CellarException {@code ObjectNotExists} (12) for an unknown name
   */
  public long getName(String name) {
    throw notBuilt();
  }

  /**
   * Completes once the name exists ({@code get_name} with {@code wait}).
   *
   * @param name the name
   * @return the future object id
   */
  public CompletableFuture<Long> awaitName(String name) {
    throw notBuilt();
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
    throw notBuilt();
  }

  /**
   * Removes a name ({@code drop_name}); an unknown name is not an error.
   *
   * @param name the name
   */
  public void dropName(String name) {
    throw notBuilt();
  }

  // ---------------------------------------------------------------- status

  /**
   * Cluster metadata ({@code cluster_meta}): one {@code "i<N>"} entry per instance.
   *
   * @return a new object node
   */
  public ObjectNode clusterMeta() {
    throw notBuilt();
  }

  /**
   * Current counters ({@code instance_status}).
   *
   * @return a snapshot
   */
  public StoreStatus status() {
    throw notBuilt();
  }

  /** Closes the store: unmaps and closes the arena, removes spill files. */
  @Override
  public void close() {
    throw notBuilt();
  }
}
