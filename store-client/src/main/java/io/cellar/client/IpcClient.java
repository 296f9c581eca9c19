package io.cellar.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.client.memory.ArenaMapping;
import io.cellar.client.memory.ArenaMappings;
import io.cellar.client.transport.MessageChannel;
import io.cellar.client.transport.UnixDomainSocket;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.FdAnnouncement;
import io.cellar.protocol.ObjectCreated;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.Payload;
import io.cellar.protocol.PayloadJson;
import io.cellar.protocol.UnsignedJson;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The zero-copy client over vineyardd's UNIX socket. Blob bytes never travel on the socket: the
 * server passes each arena's fd once (after the reply that first needs it, reference §3.3), the
 * client maps it once per access mode and keeps the mapping for its life, and every blob is a view
 * at its offset inside that mapping.
 *
 * <pre>{@code
 * try (IpcClient client = IpcClient.connect(Path.of("/var/run/vineyard.sock"))) {
 *   Blob blob = client.putBytes(bytes);           // one copy, into shared memory
 *   MemorySegment view = client.getBlob(blob.id()).segment();   // no copy
 * }
 * }</pre>
 *
 * <p>Thread-safe: one request at a time. Owns its socket, the received fds and the mappings until
 * {@link #close()}, which unmaps everything: views obtained from this client must not be used after
 * that (segments then fail; Agrona buffers would read unmapped memory).
 */
public final class IpcClient extends ProtocolClient {
  /**
   * Blobs up to this size have a successor made ahead: the request batch that seals one also asks
   * for an unsealed blob of the same size, which the next {@link #createBlob} of that size takes
   * with no round trip. A put of a small object then costs one round trip instead of two, for at
   * most this many bytes held per connection (dropped by {@link #close()}).
   */
  public static final long AHEAD_MAX_BYTES = 64 << 10;

  private final UnixDomainSocket socket;
  private final ArenaMappings mappings = new ArenaMappings();

  /** The unsealed blob made ahead for the next createBlob of its size, or null; under the lock. */
  private IpcBlobWriter ahead;

  private IpcClient(UnixDomainSocket socket) throws IOException {
    super(new MessageChannel(socket, MAPPER));
    this.socket = socket;
  }

  /**
   * Connects and registers.
   *
   * @param socketPath vineyardd's IPC socket
   * @return the registered client, owned by the caller
   * @throws IOException when the socket cannot be reached or registration fails
   */
  public static IpcClient connect(Path socketPath) throws IOException {
    return new IpcClient(UnixDomainSocket.connect(socketPath));
  }

  /**
   * Registers over an already connected socket.
   *
   * @param socket the connected socket; owned by the client from now on
   * @return the registered client
   * @throws IOException when registration fails
   */
  public static IpcClient over(UnixDomainSocket socket) throws IOException {
    return new IpcClient(socket);
  }

  /**
   * Connects to the socket named by {@code VINEYARD_IPC_SOCKET}, as {@code vineyard.connect()} does
   * with no arguments.
   *
   * @return the registered client
   * @throws IOException when the variable is unset or the connection fails
   */
  public static IpcClient connect() throws IOException {
    String path = System.getenv("VINEYARD_IPC_SOCKET");
    if (path == null || path.isEmpty()) {
      throw new IOException("VINEYARD_IPC_SOCKET is not set");
    }
    return connect(Path.of(path));
  }

  /**
   * The socket this client is connected to.
   *
   * @return the path
   */
  public Path socketPath() {
    return socket.path();
  }

  @Override
  BlobWriter createNonEmptyBlob(long size) throws IOException {
    lock.lock();
    try {
      ensureOpen();
      IpcBlobWriter made = ahead;
      ahead = null;
      if (made == null) {
        return writerFrom(channel.call(Requests.createBuffer(size), "create_buffer_reply"), size);
      }
      if (made.segment().byteSize() == size) {
        return made;
      }
      // the blob made ahead has another size: drop it in the same round trip
      channel.send(List.of(Requests.dropBuffer(made.id()), Requests.createBuffer(size)));
      ObjectNode dropped = channel.receive();
      ObjectNode reply = channel.receive();
      try {
        MessageChannel.expect(dropped, "drop_buffer_reply");
      } catch (CellarException e) {
        // it is reclaimed with the connection anyway
      }
      return writerFrom(MessageChannel.expect(reply, "create_buffer_reply"), size);
    } finally {
      lock.unlock();
    }
  }

  /** The writer of a {@code create_buffer_reply}, after its fds; called with the lock held. */
  private IpcBlobWriter writerFrom(ObjectNode reply, long size) throws IOException {
    long id = UnsignedJson.field(reply, "id");
    Payload created = PayloadJson.read(reply.path("created"));
    if (created.dataSize() != size) {
      throw CellarException.invalid(
          "vineyardd created " + created.dataSize() + " bytes for a request of " + size);
    }
    receiveDueFds(List.of(created), FdAnnouncement.read(reply));
    return new IpcBlobWriter(this, id, mappings.writeView(created));
  }

  /**
   * The request that makes the next blob ahead, to send after the requests of a batch; null when
   * one is held already or {@code size} is not small. Called with the lock held.
   */
  private ObjectNode aheadRequest(long size) {
    return ahead == null && size <= AHEAD_MAX_BYTES ? Requests.createBuffer(size) : null;
  }

  /**
   * Reads the reply to {@link #aheadRequest}: the blob is kept for the next createBlob, an error
   * reply (no room) only means there is none. Called with the lock held.
   */
  private void receiveAhead(long size) throws IOException {
    ObjectNode reply = channel.receive();
    try {
      MessageChannel.expect(reply, "create_buffer_reply");
    } catch (CellarException e) {
      return; // the store is full: the caller's next createBlob asks (and fails) on its own
    }
    ahead = writerFrom(reply, size);
  }

  /** Seals a blob made by {@link #createBlob}; called by its writer. */
  void seal(long id, long size) throws IOException {
    lock.lock();
    try {
      ensureOpen();
      ObjectNode next = aheadRequest(size);
      if (next == null) {
        channel.call(Requests.seal(id), "seal_reply");
        return;
      }
      channel.send(List.of(Requests.seal(id), next));
      ObjectNode sealed = channel.receive();
      receiveAhead(size);
      MessageChannel.expect(sealed, "seal_reply");
    } finally {
      lock.unlock();
    }
  }

  @Override
  public ObjectCreated sealAndCreateData(
      List<BlobWriter> writers, Function<List<Blob>, ObjectNode> content) throws IOException {
    List<Blob> blobs = new ArrayList<>(writers.size());
    List<IpcBlobWriter> unsealed = new ArrayList<>(writers.size());
    for (BlobWriter writer : writers) {
      if (writer instanceof IpcBlobWriter ipc && ipc.awaitsSealBy(this)) {
        unsealed.add(ipc);
        blobs.add(ipc.view());
      } else {
        blobs.add(writer.seal()); // the empty blob, or one already sealed
      }
    }
    ObjectNode meta = fillClientFields(content.apply(blobs), instanceId());
    List<ObjectNode> requests = new ArrayList<>(unsealed.size() + 1);
    for (IpcBlobWriter writer : unsealed) {
      requests.add(Requests.seal(writer.id()));
    }
    requests.add(Requests.createData(meta));
    lock.lock();
    try {
      ensureOpen();
      long nextSize = unsealed.isEmpty() ? 0 : unsealed.getLast().segment().byteSize();
      ObjectNode next = unsealed.isEmpty() ? null : aheadRequest(nextSize);
      if (next != null) {
        requests.add(next);
      }
      channel.send(requests);
      CellarException failure = null;
      for (IpcBlobWriter writer : unsealed) {
        try {
          MessageChannel.expect(channel.receive(), "seal_reply");
          writer.sealedAs(writer.view());
        } catch (CellarException e) {
          failure = failure == null ? e : failure;
        }
      }
      ObjectNode reply = channel.receive();
      if (next != null) {
        receiveAhead(nextSize);
      }
      if (failure != null) {
        throw failure;
      }
      return created(MessageChannel.expect(reply, "create_data_reply"), meta);
    } finally {
      lock.unlock();
    }
  }

  @Override
  Map<Long, Blob> fetchBlobs(Collection<Long> ids) throws IOException {
    ObjectNode reply =
        channel.call(Requests.getBuffers("get_buffers_request", ids, false), "get_buffers_reply");
    List<Payload> payloads = PayloadJson.readList(reply);
    receiveDueFds(payloads, FdAnnouncement.read(reply));
    Map<Long, Blob> blobs = new LinkedHashMap<>();
    for (Payload payload : payloads) {
      blobs.put(
          payload.objectId(),
          new Blob(payload.objectId(), instanceId(), mappings.readView(payload), false));
    }
    return blobs;
  }

  /**
   * Receives the fds due after a reply: one 1-byte {@code recvmsg} per new arena, in payload order,
   * after checking the reply's announcement.
   */
  private void receiveDueFds(List<Payload> payloads, List<Integer> announced) throws IOException {
    int[] due = mappings.dueStoreFds(payloads);
    if (announced != null) {
      FdAnnouncement.check(due, announced);
    }
    for (int storeFd : due) {
      long mapSize = 0;
      for (Payload p : payloads) {
        if (p.storeFd() == storeFd) {
          mapSize = p.mapSize();
          break;
        }
      }
      int fd = socket.receiveFd();
      mappings.add(storeFd, fd, mapSize);
    }
  }

  /** Abandons an unsealed blob; called by its writer. */
  void abandon(long id) {
    try {
      dropBlob(id);
    } catch (IOException | RuntimeException e) {
      // the server frees a disconnected client's unsealed blobs anyway
    }
  }

  /**
   * The arenas this client has received, for diagnostics and for proving that a view lies inside a
   * mapping.
   *
   * @return a snapshot of the arena records
   */
  public List<ArenaMapping> arenas() {
    lock.lock();
    try {
      return List.copyOf(mappings.all());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Whether a view lies inside one of this client's mappings (so reading it copied nothing).
   *
   * @param view a segment from a {@link Blob} or {@link BlobWriter} of this client
   * @return true when {@code [address, address + size)} is inside a mapping
   */
  public boolean isInsideMapping(MemorySegment view) {
    long start = view.address();
    long end = start + view.byteSize();
    lock.lock();
    try {
      for (ArenaMapping arena : mappings.all()) {
        for (MemorySegment m :
            new MemorySegment[] {arena.readOnlyMapping(), arena.readWriteMapping()}) {
          if (m != null && start >= m.address() && end <= m.address() + m.byteSize()) {
            return true;
          }
        }
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Drops the blob made ahead: Cellar reclaims a gone client's unsealed blobs, but the reference
   * vineyardd keeps them for its life.
   */
  @Override
  void beforeExit() throws IOException {
    if (ahead != null) {
      channel.call(Requests.dropBuffer(ahead.id()), "drop_buffer_reply");
      ahead = null;
    }
  }

  @Override
  void releaseResources() {
    ahead = null;
    mappings.close();
  }

  @Override
  public String toString() {
    return "IpcClient["
        + socket.path()
        + ", instance "
        + ObjectIds.instanceText(instanceId())
        + "]";
  }
}
