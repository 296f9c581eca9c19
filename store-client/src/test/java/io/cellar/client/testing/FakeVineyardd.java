package io.cellar.client.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.client.transport.MessageChannel;
import io.cellar.client.transport.UnixDomainSocket;
import io.cellar.posix.FdPassing;
import io.cellar.posix.FileCalls;
import io.cellar.posix.MemoryCalls;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.Payload;
import io.cellar.protocol.PayloadJson;
import io.cellar.protocol.UnsignedJson;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted stand-in for vineyardd on one end of a socketpair, enough to exercise the IPC client's
 * framing and fd bookkeeping in-process: register, create_buffer (blobs carved from one memfd
 * arena), seal, get_buffers, create_data (ids only, nothing kept) and exit. It passes each arena fd
 * once per connection after the reply, as reference §3.3 says, unless a test asks it to misbehave.
 *
 * <p>Runs on its own thread; the request log is safe to read from the test thread.
 */
public final class FakeVineyardd implements AutoCloseable {
  /** How the fake deviates from the protocol, for negative tests. */
  public enum Misbehaviour {
    /** None. */
    NONE,
    /** Announce fd -1 although a new arena fd follows. */
    WRONG_ANNOUNCEMENT,
    /** Pack two fds into one message. */
    TWO_FDS_IN_ONE_MESSAGE
  }

  /** The arena's {@code store_fd} key (deliberately not the real fd number). */
  public static final int STORE_FD = 42;

  private final int arenaFd;
  private final long arenaSize;
  private final MemorySegment arena;
  private final MessageChannel channel;
  private final UnixDomainSocket socket;
  private final int socketFd;
  private final Misbehaviour misbehaviour;
  private final List<ObjectNode> requests = new CopyOnWriteArrayList<>();
  private final Map<Long, Payload> blobs = new LinkedHashMap<>();
  private final Set<Integer> sentFds = new HashSet<>();
  private final Thread thread;
  private long nextOffset = 64;
  private long nextId = 1;
  private long nextObjectId = 0x1000;
  private volatile Throwable failure;

  /**
   * Starts serving one end of a socketpair.
   *
   * @param serverFd the fake's end; owned by the fake
   * @param arenaSize the memfd arena's length
   * @param misbehaviour how to deviate from the protocol
   */
  @SuppressWarnings("restricted")
  public FakeVineyardd(int serverFd, long arenaSize, Misbehaviour misbehaviour) throws Throwable {
    this.arenaFd = TestFiles.memfd(arenaSize);
    this.arenaSize = arenaSize;
    long address =
        MemoryCalls.mmap(
            0,
            arenaSize,
            MemoryCalls.PROT_READ | MemoryCalls.PROT_WRITE,
            MemoryCalls.MAP_SHARED,
            arenaFd,
            0);
    this.arena = MemorySegment.ofAddress(address).reinterpret(arenaSize);
    this.socket = UnixDomainSocket.adopt(serverFd, Path.of("fake-vineyardd"));
    this.socketFd = serverFd;
    this.channel = new MessageChannel(socket, new ObjectMapper());
    this.misbehaviour = misbehaviour;
    this.thread = Thread.ofPlatform().daemon().name("fake-vineyardd").start(this::serve);
  }

  /**
   * The arena as the fake maps it, to write blob contents a client then reads.
   *
   * @return the whole arena
   */
  public MemorySegment arena() {
    return arena;
  }

  /**
   * Every request received so far.
   *
   * @return the log
   */
  public List<ObjectNode> requests() {
    return requests;
  }

  /**
   * Adds a sealed blob with the given bytes, as if another client had put it.
   *
   * @param bytes the contents
   * @return the blob id
   */
  public synchronized long addSealedBlob(byte[] bytes) {
    Payload p = allocate(bytes.length, true);
    MemorySegment.copy(MemorySegment.ofArray(bytes), 0, arena, p.dataOffset(), bytes.length);
    return p.objectId();
  }

  /**
   * Forgets a blob, as if another client had deleted it: sealing it then fails.
   *
   * @param id the blob id
   */
  public synchronized void forget(long id) {
    blobs.remove(id);
  }

  private Payload allocate(long size, boolean sealed) {
    long id = ObjectIds.BLOB_BIT | nextId++;
    Payload p =
        new Payload(
            id,
            STORE_FD,
            nextOffset,
            size,
            arenaSize,
            0x7000_0000_0000L + nextOffset,
            sealed,
            true);
    nextOffset += (size + 63) & ~63L;
    blobs.put(id, p);
    return p;
  }

  private void serve() {
    try {
      while (true) {
        ObjectNode request = channel.receive();
        requests.add(request);
        String type = request.path("type").asText();
        switch (type) {
          case "register_request" -> channel.send(registerReply());
          case "create_buffer_request" -> createBuffer(request.path("size").asLong());
          case "drop_buffer_request" -> {
            synchronized (this) {
              blobs.remove(UnsignedJson.field(request, "id"));
            }
            channel.send(reply("drop_buffer_reply"));
          }
          case "seal_request" -> {
            synchronized (this) {
              long id = UnsignedJson.field(request, "object_id");
              Payload p = blobs.get(id);
              if (p == null) {
                channel.send(error(12, "blob " + ObjectIds.toText(id) + " does not exist"));
                continue;
              }
              blobs.put(
                  id,
                  new Payload(
                      id,
                      p.storeFd(),
                      p.dataOffset(),
                      p.dataSize(),
                      p.mapSize(),
                      p.pointer(),
                      true,
                      true));
            }
            channel.send(reply("seal_reply"));
          }
          case "get_buffers_request" -> getBuffers(request);
          case "create_data_request" -> {
            ObjectNode r = reply("create_data_reply");
            long id = nextObjectId++;
            UnsignedJson.put(r, "id", id);
            UnsignedJson.put(r, "signature", id + 1);
            r.put("instance_id", 0);
            channel.send(r);
          }
          case "get_name_request" -> {
            // parked forever, as a wait=true request for a name nobody puts
          }
          case "exit_request" -> {
            return;
          }
          default -> channel.send(error(1, "Got unexpected command: " + type));
        }
      }
    } catch (java.io.EOFException e) {
      // the client went away
    } catch (Throwable t) {
      failure = t;
    }
  }

  private static ObjectNode error(int code, String message) {
    ObjectNode error = new ObjectMapper().createObjectNode();
    error.put("code", code);
    error.put("message", message);
    return error;
  }

  private static ObjectNode reply(String type) {
    ObjectNode r = new ObjectMapper().createObjectNode();
    r.put("type", type);
    return r;
  }

  private ObjectNode registerReply() {
    ObjectNode r = reply("register_reply");
    r.put("instance_id", 0);
    r.put("ipc_socket", "/fake/vineyard.sock");
    r.put("rpc_endpoint", "0.0.0.0:0");
    r.put("session_id", 0);
    r.put("store_match", true);
    r.put("support_rpc_compression", false);
    r.put("version", "0.24.2");
    return r;
  }

  private void createBuffer(long size) throws Throwable {
    Payload p;
    synchronized (this) {
      if (nextOffset + size > arenaSize) {
        channel.send(error(41, "the fake's arena is full"));
        return;
      }
      p = allocate(size, false);
    }
    boolean send = sentFds.add(STORE_FD);
    ObjectNode r = reply("create_buffer_reply");
    UnsignedJson.put(r, "id", p.objectId());
    r.put("fd", send && misbehaviour != Misbehaviour.WRONG_ANNOUNCEMENT ? STORE_FD : -1);
    r.set("created", PayloadJson.write(p));
    channel.send(r);
    if (send) {
      sendArenaFd();
    }
  }

  private void getBuffers(ObjectNode request) throws Throwable {
    List<Payload> found = new ArrayList<>();
    synchronized (this) {
      for (int i = 0; i < request.path("num").asInt(); i++) {
        Payload p = blobs.get(UnsignedJson.field(request, Integer.toString(i)));
        if (p != null) {
          found.add(p);
        }
      }
    }
    boolean send = !found.isEmpty() && sentFds.add(STORE_FD);
    ObjectNode r = reply("get_buffers_reply");
    ArrayNode payloads = r.putArray("payloads");
    for (int i = 0; i < found.size(); i++) {
      payloads.add(PayloadJson.write(found.get(i)));
      r.set(Integer.toString(i), PayloadJson.write(found.get(i)));
    }
    r.put("num", found.size());
    ArrayNode fds = r.putArray("fds");
    if (send && misbehaviour != Misbehaviour.WRONG_ANNOUNCEMENT) {
      fds.add(STORE_FD);
    }
    r.put("compress", false);
    channel.send(r);
    if (send) {
      sendArenaFd();
    }
  }

  private void sendArenaFd() throws Throwable {
    if (misbehaviour == Misbehaviour.TWO_FDS_IN_ONE_MESSAGE) {
      FdPassing.sendFds(socketFd, arenaFd, arenaFd);
    } else {
      FdPassing.sendFds(socketFd, arenaFd);
    }
  }

  /**
   * Whether the serving thread failed.
   *
   * @return the failure, or null
   */
  public Throwable failure() {
    return failure;
  }

  /** Waits for the serving thread to end (the client exits or disconnects) and closes the fake. */
  @Override
  public void close() {
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!thread.isAlive()) {
      socket.close();
    }
    try {
      MemoryCalls.munmap(arena.address(), arenaSize);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    FileCalls.closeQuietly(arenaFd);
  }
}
