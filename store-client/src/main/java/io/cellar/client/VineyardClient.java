package io.cellar.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.ObjectCreated;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A connection to a vineyardd speaking the Vineyard wire protocol: blobs, object metadata, names
 * and server status. {@link IpcClient} works over the UNIX socket with zero-copy shared memory;
 * {@link RpcClient} over TCP with blob bytes sent inline.
 *
 * <p>Ids are unsigned 64-bit numbers held in a {@code long}; blob ids have bit 63 set. Transport
 * failures are {@link IOException}s; error replies are {@link io.cellar.protocol.CellarException}s
 * carrying the protocol's status code ({@code ObjectNotExists}, {@code NotEnoughMemory}, ...).
 *
 * <p>Thread-safe: requests from several threads are sent one at a time (the protocol allows one
 * request in flight per connection). A request that waits ({@code wait=true}) holds the connection
 * until it is answered; use another client to keep working meanwhile.
 */
public interface VineyardClient extends AutoCloseable {
  /**
   * What the server said at registration.
   *
   * @return the server facts
   */
  ServerInfo server();

  /**
   * The instance id this client stamps on the metadata it creates.
   *
   * @return the server's instance id
   */
  default long instanceId() {
    return server().instanceId();
  }

  // ---- blobs -------------------------------------------------------------------------------

  /**
   * Creates an unsealed blob to write into. A size of 0 gives the empty blob with no server call,
   * as the Python client does.
   *
   * @param size the blob's size in bytes
   * @return the writer, owned by the caller
   * @throws IOException when the connection fails
   */
  BlobWriter createBlob(long size) throws IOException;

  /**
   * Creates, fills and seals a blob holding a copy of {@code bytes} (what Python's {@code
   * put(bytes)} makes).
   *
   * @param bytes the contents
   * @return the sealed blob
   * @throws IOException when the connection fails
   */
  default Blob putBytes(byte[] bytes) throws IOException {
    try (BlobWriter writer = createBlob(bytes.length)) {
      java.lang.foreign.MemorySegment.copy(
          java.lang.foreign.MemorySegment.ofArray(bytes), 0, writer.segment(), 0, bytes.length);
      return writer.seal();
    }
  }

  /**
   * Gets one sealed blob.
   *
   * @param id the blob id
   * @return the blob
   * @throws IOException when the connection fails
   * @throws io.cellar.protocol.CellarException {@code ObjectNotExists} when there is no such blob,
   *     {@code ObjectNotSealed} when it is not sealed
   */
  default Blob getBlob(long id) throws IOException {
    Map<Long, Blob> blobs = getBlobs(java.util.List.of(id));
    Blob blob = blobs.get(id);
    if (blob == null) {
      throw io.cellar.protocol.CellarException.notExists(
          "blob " + io.cellar.protocol.ObjectIds.toText(id) + " does not exist");
    }
    return blob;
  }

  /**
   * Gets sealed blobs; ids the server does not know are left out of the result.
   *
   * @param ids blob ids (duplicates are sent once)
   * @return the blobs found, keyed by id
   * @throws IOException when the connection fails
   */
  Map<Long, Blob> getBlobs(Collection<Long> ids) throws IOException;

  /**
   * Drops this connection's reference to a blob ({@code release_request}).
   *
   * @param blobId the blob id
   * @throws IOException when the connection fails
   */
  void release(long blobId) throws IOException;

  /**
   * Frees a blob at once, regardless of references ({@code drop_buffer_request}).
   *
   * @param blobId the blob id
   * @throws IOException when the connection fails
   */
  void dropBlob(long blobId) throws IOException;

  // ---- metadata ----------------------------------------------------------------------------

  /**
   * Creates an object from its metadata tree. Like the reference clients, it fills in {@code
   * instance_id} (this client's), {@code transient: true}, {@code nbytes: 0} if absent and {@code
   * global: false} if absent; and after the reply it writes the new {@code id} (text form), {@code
   * signature} and {@code instance_id} into {@code content}, so that the tree can be nested as a
   * member of another object exactly as Python nests it.
   *
   * @param content the metadata; modified in place as described
   * @return the new object's id, signature and instance
   * @throws IOException when the connection fails
   */
  ObjectCreated createData(ObjectNode content) throws IOException;

  /**
   * Seals blobs and creates an object holding them, as one step: {@code content} builds the
   * object's metadata from the sealed blobs (nest each one's {@link Blob#metadata()}), then it is
   * created as by {@link #createData(ObjectNode)}. {@link IpcClient} sends the seal requests and
   * the {@code create_data} request with one write and reads their replies together, so a put costs
   * one round trip after the blobs were created instead of one per seal plus one. When any of them
   * fails, the first failure is thrown once every reply has been read: an object may then exist
   * although a blob was not sealed, and the writers whose seal failed can still be closed (which
   * abandons their blobs). Writers already sealed are taken as they are.
   *
   * @param writers the blobs to seal, in the order handed to {@code content}
   * @param content builds the metadata from the sealed blobs; called before anything is sent
   * @return the new object's id, signature and instance
   * @throws IOException when the connection fails
   */
  default ObjectCreated sealAndCreateData(
      List<BlobWriter> writers, Function<List<Blob>, ObjectNode> content) throws IOException {
    List<Blob> blobs = new ArrayList<>(writers.size());
    for (BlobWriter writer : writers) {
      blobs.add(writer.seal());
    }
    return createData(content.apply(blobs));
  }

  /**
   * Gets the metadata of one object (a blob id gives the blob's synthesized metadata).
   *
   * @param id the object id
   * @return the metadata tree, members nested
   * @throws IOException when the connection fails
   * @throws io.cellar.protocol.CellarException {@code ObjectNotExists} when it does not exist
   */
  default ObjectNode getData(long id) throws IOException {
    ObjectNode meta = getData(java.util.List.of(id), false).get(id);
    if (meta == null) {
      throw io.cellar.protocol.CellarException.notExists(
          "object " + io.cellar.protocol.ObjectIds.toText(id) + " does not exist");
    }
    return meta;
  }

  /**
   * Gets the metadata of several objects ({@code get_data_request} with {@code sync_remote}).
   *
   * @param ids object ids
   * @param wait whether to wait until all of them exist
   * @return the trees found, keyed by id; missing ids are absent
   * @throws IOException when the connection fails
   */
  Map<Long, ObjectNode> getData(Collection<Long> ids, boolean wait) throws IOException;

  /**
   * Lists objects whose typename matches a pattern.
   *
   * @param pattern a glob (or a regular expression when {@code regex})
   * @param regex whether {@code pattern} is a regular expression
   * @param limit at most this many results
   * @return metadata trees keyed by id
   * @throws IOException when the connection fails
   */
  Map<Long, ObjectNode> listData(String pattern, boolean regex, int limit) throws IOException;

  /**
   * Deletes objects ({@code del_data_request}).
   *
   * @param ids object ids; unknown ids are ignored by the server
   * @param force also delete objects that are still members of others
   * @param deep also delete members
   * @throws IOException when the connection fails
   */
  void delete(Collection<Long> ids, boolean force, boolean deep) throws IOException;

  /**
   * Whether an object or blob exists.
   *
   * @param id the id
   * @return the server's answer
   * @throws IOException when the connection fails
   */
  boolean exists(long id) throws IOException;

  /**
   * Persists an object (and its transient members) to the metadata backend.
   *
   * @param id the object id (not a blob)
   * @throws IOException when the connection fails
   */
  void persist(long id) throws IOException;

  /**
   * Whether an object is persisted.
   *
   * @param id the object id
   * @return the server's answer (false for blobs)
   * @throws IOException when the connection fails
   */
  boolean isPersisted(long id) throws IOException;

  /**
   * Adds labels to an object.
   *
   * @param id the object id
   * @param labels keys and values, in order
   * @throws IOException when the connection fails
   */
  void label(long id, Map<String, String> labels) throws IOException;

  /**
   * Makes a new object with the same metadata ({@code shallow_copy_request}).
   *
   * @param id the object id
   * @param extra extra primitive fields for the copy, or null
   * @return the new object's id
   * @throws IOException when the connection fails
   */
  long shallowCopy(long id, ObjectNode extra) throws IOException;

  /**
   * Deletes every object and blob.
   *
   * @throws IOException when the connection fails
   */
  void clear() throws IOException;

  // ---- names -------------------------------------------------------------------------------

  /**
   * Binds a name to a persisted object.
   *
   * @param id the object id
   * @param name the name
   * @throws IOException when the connection fails
   */
  void putName(long id, String name) throws IOException;

  /**
   * Resolves a name.
   *
   * @param name the name
   * @param wait whether to wait until the name is put (holds this connection until then)
   * @return the object id
   * @throws IOException when the connection fails
   * @throws io.cellar.protocol.CellarException {@code ObjectNotExists} when not found and not
   *     waiting
   */
  long getName(String name, boolean wait) throws IOException;

  /**
   * Lists names matching a pattern.
   *
   * @param pattern a glob (or a regular expression when {@code regex})
   * @param regex whether {@code pattern} is a regular expression
   * @param limit at most this many results
   * @return object ids keyed by name
   * @throws IOException when the connection fails
   */
  Map<String, Long> listNames(String pattern, boolean regex, int limit) throws IOException;

  /**
   * Removes a name.
   *
   * @param name the name
   * @throws IOException when the connection fails
   */
  void dropName(String name) throws IOException;

  // ---- status ------------------------------------------------------------------------------

  /**
   * The server's status.
   *
   * @return the status
   * @throws IOException when the connection fails
   */
  InstanceStatus instanceStatus() throws IOException;

  /**
   * The cluster's instance table ({@code cluster_meta}).
   *
   * @return the {@code meta} object, keyed {@code i<instance id>}
   * @throws IOException when the connection fails
   */
  ObjectNode clusterMeta() throws IOException;

  /**
   * Sends {@code exit_request}, closes the connection and releases all memory it mapped. When
   * another thread has a request in flight (for example a waiting {@link #getName}), the connection
   * is shut down first, so that request fails with an {@link IOException} instead of blocking the
   * close.
   */
  @Override
  void close();
}
