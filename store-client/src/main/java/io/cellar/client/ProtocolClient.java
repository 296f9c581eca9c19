package io.cellar.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.client.transport.MessageChannel;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectCreated;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.StatusCode;
import io.cellar.protocol.UnsignedJson;
import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The JSON commands both clients share: registration, metadata, names and status. {@link IpcClient}
 * and {@link RpcClient} add the blob transfers of their transport.
 *
 * <p>Thread-safe: every request holds {@link #lock} from sending to the end of its reply (and of
 * any fds or raw bytes that follow it).
 */
public abstract sealed class ProtocolClient implements VineyardClient permits IpcClient, RpcClient {
  /** Compact JSON, shared by all clients. */
  static final ObjectMapper MAPPER = new ObjectMapper();

  /** Held for each request and everything that travels with its reply. */
  final ReentrantLock lock = new ReentrantLock();

  /** The framed connection. */
  final MessageChannel channel;

  private final ServerInfo server;
  private boolean closed;

  /**
   * Registers on a fresh connection, as the C++ client does (all six fields).
   *
   * @param channel the connection; the client owns it from now on (closed here on failure)
   * @throws IOException when the connection fails or the server's store type does not match
   */
  ProtocolClient(MessageChannel channel) throws IOException {
    this.channel = channel;
    try {
      ObjectNode reply = channel.call(Requests.register(), "register_reply");
      this.server = ServerInfo.fromReply(reply);
      if (!server.storeMatch()) {
        throw new CellarException(StatusCode.INVALID, "Mismatched store type");
      }
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  @Override
  public final ServerInfo server() {
    return server;
  }

  /**
   * Sends one request and reads its reply under the lock.
   *
   * @param request the request
   * @param replyType the expected reply type
   * @return the reply
   * @throws IOException when the connection fails
   */
  final ObjectNode call(ObjectNode request, String replyType) throws IOException {
    lock.lock();
    try {
      ensureOpen();
      return channel.call(request, replyType);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Fails once the client is closed.
   *
   * @throws IOException when closed
   */
  final void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("the client is closed");
    }
  }

  @Override
  public final BlobWriter createBlob(long size) throws IOException {
    if (size < 0) {
      throw new IllegalArgumentException("negative blob size " + size);
    }
    if (size == 0) {
      return new SealedEmptyBlobWriter(instanceId());
    }
    return createNonEmptyBlob(size);
  }

  /**
   * Creates a blob of at least one byte, the transport's way.
   *
   * @param size the size, greater than 0
   * @return the writer
   * @throws IOException when the connection fails
   */
  abstract BlobWriter createNonEmptyBlob(long size) throws IOException;

  @Override
  public final Map<Long, Blob> getBlobs(Collection<Long> ids) throws IOException {
    LinkedHashSet<Long> unique = new LinkedHashSet<>(ids);
    if (unique.isEmpty()) {
      return Map.of();
    }
    lock.lock();
    try {
      ensureOpen();
      return fetchBlobs(unique);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Gets blobs the transport's way; called with {@link #lock} held and the client open.
   *
   * @param ids the ids, at least one, no duplicates
   * @return the blobs found, keyed by id in reply order
   * @throws IOException when the connection fails
   */
  abstract Map<Long, Blob> fetchBlobs(Collection<Long> ids) throws IOException;

  @Override
  public final void release(long blobId) throws IOException {
    call(Requests.release(blobId), "release_reply");
  }

  @Override
  public final void dropBlob(long blobId) throws IOException {
    call(Requests.dropBuffer(blobId), "drop_buffer_reply");
  }

  @Override
  public ObjectCreated createData(ObjectNode content) throws IOException {
    fillClientFields(content, instanceId());
    return created(call(Requests.createData(content), "create_data_reply"), content);
  }

  /**
   * Reads a {@code create_data_reply} and writes the new id, signature and instance into the
   * content, as {@link #createData(ObjectNode)} promises.
   *
   * @param reply the checked reply
   * @param content the metadata that was sent
   * @return the ids of the reply
   */
  static ObjectCreated created(ObjectNode reply, ObjectNode content) {
    ObjectCreated created =
        new ObjectCreated(
            UnsignedJson.field(reply, "id"),
            UnsignedJson.field(reply, "signature"),
            UnsignedJson.field(reply, "instance_id"));
    content.put("id", ObjectIds.toText(created.id()));
    UnsignedJson.put(content, "signature", created.signature());
    UnsignedJson.put(content, "instance_id", created.instanceId());
    return created;
  }

  /**
   * Fills in what the reference clients add to every object's metadata before {@code create_data}:
   * {@code instance_id} (the client's), {@code transient: true}, {@code nbytes: 0} if absent,
   * {@code global: false} if absent (Python's {@code ObjectMeta}), and the environment variables
   * {@code JOB_NAME}, {@code POD_NAME}, {@code POD_NAMESPACE} when set.
   *
   * @param content the metadata, modified in place
   * @param instanceId the client's instance id
   * @return {@code content}
   */
  public static ObjectNode fillClientFields(ObjectNode content, long instanceId) {
    UnsignedJson.put(content, "instance_id", instanceId);
    content.put("transient", true);
    if (!content.has("nbytes")) {
      content.put("nbytes", 0);
    }
    if (!content.has("global")) {
      content.put("global", false);
    }
    for (String key : new String[] {"JOB_NAME", "POD_NAME", "POD_NAMESPACE"}) {
      String value = System.getenv(key);
      if (value != null) {
        content.put(key, value);
      }
    }
    return content;
  }

  @Override
  public Map<Long, ObjectNode> getData(Collection<Long> ids, boolean wait) throws IOException {
    return contentById(call(Requests.getData(ids, true, wait), "get_data_reply"));
  }

  @Override
  public Map<Long, ObjectNode> listData(String pattern, boolean regex, int limit)
      throws IOException {
    return contentById(call(Requests.listData(pattern, regex, limit), "get_data_reply"));
  }

  private static Map<Long, ObjectNode> contentById(ObjectNode reply) {
    Map<Long, ObjectNode> result = new LinkedHashMap<>();
    JsonNode content = reply.path("content");
    for (Map.Entry<String, JsonNode> entry : content.properties()) {
      if (entry.getValue() instanceof ObjectNode meta) {
        long id =
            meta.has("id") ? UnsignedJson.field(meta, "id") : ObjectIds.parseText(entry.getKey());
        result.put(id, meta);
      }
    }
    return result;
  }

  @Override
  public void delete(Collection<Long> ids, boolean force, boolean deep) throws IOException {
    call(Requests.delData(ids, force, deep), "del_data_reply");
  }

  @Override
  public boolean exists(long id) throws IOException {
    return call(Requests.withId("exists_request", id), "exists_reply")
        .path("exists")
        .asBoolean(false);
  }

  @Override
  public void persist(long id) throws IOException {
    call(Requests.withId("persist_request", id), "persist_reply");
  }

  @Override
  public boolean isPersisted(long id) throws IOException {
    return call(Requests.withId("if_persist_request", id), "if_persist_reply")
        .path("persist")
        .asBoolean(false);
  }

  @Override
  public void label(long id, Map<String, String> labels) throws IOException {
    call(Requests.label(id, labels), "label_reply");
  }

  @Override
  public long shallowCopy(long id, ObjectNode extra) throws IOException {
    return UnsignedJson.field(
        call(Requests.shallowCopy(id, extra), "shallow_copy_reply"), "target_id");
  }

  @Override
  public void clear() throws IOException {
    call(Requests.of("clear_request"), "clear_reply");
  }

  @Override
  public void putName(long id, String name) throws IOException {
    call(Requests.putName(id, name), "put_name_reply");
  }

  @Override
  public long getName(String name, boolean wait) throws IOException {
    return UnsignedJson.field(call(Requests.getName(name, wait), "get_name_reply"), "object_id");
  }

  @Override
  public Map<String, Long> listNames(String pattern, boolean regex, int limit) throws IOException {
    ObjectNode reply = call(Requests.listNames(pattern, regex, limit), "list_name_reply");
    Map<String, Long> names = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : reply.path("names").properties()) {
      names.put(entry.getKey(), UnsignedJson.read(entry.getValue(), entry.getKey()));
    }
    return names;
  }

  @Override
  public void dropName(String name) throws IOException {
    call(Requests.dropName(name), "drop_name_reply");
  }

  @Override
  public InstanceStatus instanceStatus() throws IOException {
    return InstanceStatus.fromMeta(
        call(Requests.of("instance_status_request"), "instance_status_reply").path("meta"));
  }

  @Override
  public ObjectNode clusterMeta() throws IOException {
    JsonNode meta = call(Requests.of("cluster_meta"), "cluster_meta").path("meta");
    return meta instanceof ObjectNode o ? o : MAPPER.createObjectNode();
  }

  /**
   * Gives back, when closing, what the subclass holds on the server and the server may not reclaim
   * by itself; before {@code exit_request}, with {@link #lock} held. Nothing by default.
   *
   * @throws IOException when the connection fails (closing goes on)
   */
  void beforeExit() throws IOException {}

  /** Releases what the subclass holds beyond the connection (mappings, buffers). */
  abstract void releaseResources();

  @Override
  public final void close() {
    if (!lock.tryLock()) {
      // another thread has a request in flight (perhaps waiting for a name that never comes):
      // shut the connection down so that it fails at once and lets go of the lock
      channel.stream().shutdown();
      lock.lock();
    }
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        beforeExit();
        channel.send(Requests.of("exit_request"));
      } catch (IOException | RuntimeException e) {
        // the server may already be gone; closing goes on
      }
      channel.close();
      releaseResources();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Whether {@link #close()} was called.
   *
   * @return true once closed
   */
  public final boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Fails with an error naming a blob when the server did not return it.
   *
   * @param id the blob id
   * @return the exception to throw
   */
  static CellarException missingBlob(long id) {
    return CellarException.notExists("blob " + ObjectIds.toText(id) + " does not exist");
  }
}
