package io.cellar.server.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.Store;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.FdAnnouncement;
import io.cellar.protocol.Payload;
import io.cellar.protocol.PayloadJson;
import io.cellar.protocol.UnsignedJson;
import io.cellar.server.protocol.Replies;
import io.cellar.server.protocol.Request;
import java.util.List;

/**
 * Blob (buffer) commands over IPC (reference §2.2): create, seal, get with fd passing, references,
 * drop, shrink, and the spill controls. GPU, RDMA and disk buffers and client-side arenas answer
 * NotImplemented.
 *
 * <p>Thread-safe: the {@link Store} is thread-safe and no other state is kept.
 */
public final class BlobCommands {
  /**
   * Remote (RPC) creations at least this large run on the worker pool: they copy the bytes. IPC
   * creations touch no page and stay on the event loop unless the store spills.
   */
  public static final long OFFLOAD_BYTES = 4L * 1024 * 1024;

  private final Store store;
  private final boolean spilling;

  /**
   * Handlers over a store.
   *
   * @param store the store
   * @param spilling whether the store spills (then creations and gets may do file I/O)
   */
  public BlobCommands(Store store, boolean spilling) {
    this.store = store;
    this.spilling = spilling;
  }

  /**
   * Adds this family's commands.
   *
   * @param table the table to fill
   */
  public void registerInto(CommandTable table) {
    Placement maySpill = r -> spilling;
    table
        .add("create_buffer_request", this::createBuffer, maySpill)
        .add("create_buffers_request", this::createBuffers, maySpill)
        .add("seal_request", this::seal)
        .add("get_buffers_request", this::getBuffers, maySpill)
        .add("drop_buffer_request", this::dropBuffer)
        .add("shrink_buffer_request", this::shrinkBuffer)
        .add("increase_reference_count_request", this::increaseReferences, maySpill)
        .add("release_request", this::release)
        .add("is_spilled_request", this::isSpilled)
        .add("is_in_use_request", this::isInUse)
        .add("evict_request", this::evict, Placement.WORKER)
        .add("load_request", this::load, Placement.WORKER)
        .add("unpin_request", this::unpin)
        .add("memory_trim_request", this::memoryTrim, Placement.WORKER)
        .add(
            "create_disk_buffer_request",
            new NotBuilt("disk-backed blobs are not built yet; use create_buffer_request"))
        .add("create_gpu_buffer_request", new NotBuilt("there is no GPU memory support"))
        .add("get_gpu_buffers_request", new NotBuilt("there is no GPU memory support"))
        .add("release_blobs_with_rdma_request", new NotBuilt("there is no RDMA support"))
        .add(
            "make_arena_request",
            new NotBuilt("client-placed arenas are not built yet; use create_buffer_request"))
        .add(
            "finalize_arena_request",
            new NotBuilt("client-placed arenas are not built yet; use create_buffer_request"));
  }

  private static void requireIpc(Request r, Connection c) {
    if (c.isRpc()) {
      throw CellarException.invalid(
          r.type()
              + " passes a file descriptor and needs the IPC socket; over RPC use"
              + " create_remote_buffer(s)_request / get_remote_buffers_request");
    }
  }

  private Reply createBuffer(Request r, Connection c) {
    long size = r.requireUnsigned("size");
    if (size < 0) {
      // -1 reads as 2^64-1, as in the reference: more memory than any store has
      throw CellarException.notEnoughMemory(
          "Failed to allocate memory of size "
              + Long.toUnsignedString(size)
              + ": more than the memory limit of "
              + store.config().memoryLimit()
              + " bytes");
    }
    requireIpc(r, c);
    Payload p = store.createBlob(c.owner(), size);
    ArenaFds fds = c.arenasToPass(List.of(p));
    ObjectNode reply = Replies.ok("create_buffer_reply");
    reply.set("created", PayloadJson.write(p));
    FdAnnouncement.putSingle(reply, fds.keys());
    UnsignedJson.put(reply, "id", p.objectId());
    return Reply.withFds(reply, fds);
  }

  private Reply createBuffers(Request r, Connection c) {
    long[] sizes = r.requireUnsignedArray("sizes");
    long num = r.unsigned("num", sizes.length);
    if (num != sizes.length) {
      throw CellarException.invalid(
          "create_buffers_request has num " + num + " but " + sizes.length + " sizes");
    }
    for (long s : sizes) {
      if (s < 0) {
        throw CellarException.invalid("create_buffers_request has a size over 2^63");
      }
    }
    requireIpc(r, c);
    List<Payload> payloads = store.createBlobs(c.owner(), sizes);
    ArenaFds fds = c.arenasToPass(payloads);
    ObjectNode reply = Replies.ok("create_buffers_reply");
    reply.put("num", payloads.size());
    long[] ids = new long[payloads.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = payloads.get(i).objectId();
    }
    UnsignedJson.putArray(reply, "ids", ids);
    FdAnnouncement.putArray(reply, fds.keys());
    PayloadJson.putList(reply, payloads);
    return Reply.withFds(reply, fds);
  }

  private Reply seal(Request r, Connection c) {
    store.seal(c.owner(), r.requireUnsigned("object_id"));
    return Reply.of(Replies.ok("seal_reply"));
  }

  private Reply getBuffers(Request r, Connection c) {
    long[] ids = r.numberedIds();
    boolean unsafe = r.bool("unsafe", false);
    List<Payload> payloads = store.getBlobs(c.owner(), ids, unsafe);
    ArenaFds fds = c.arenasToPass(payloads);
    ObjectNode reply = Replies.ok("get_buffers_reply");
    PayloadJson.putList(reply, payloads);
    FdAnnouncement.putArray(reply, fds.keys());
    reply.put("num", payloads.size());
    reply.put("compress", false);
    return Reply.withFds(reply, fds);
  }

  private Reply dropBuffer(Request r, Connection c) {
    store.dropBlob(r.requireUnsigned("id"));
    return Reply.of(Replies.ok("drop_buffer_reply"));
  }

  private Reply shrinkBuffer(Request r, Connection c) {
    long id = r.requireUnsigned("id");
    store.shrinkBlob(id, r.requireSize("size"));
    return Reply.of(Replies.ok("shrink_buffer_reply"));
  }

  private Reply increaseReferences(Request r, Connection c) {
    store.increaseReferences(c.owner(), r.requireUnsignedArray("ids"));
    return Reply.of(Replies.ok("increase_reference_count_reply"));
  }

  private Reply release(Request r, Connection c) {
    store.release(c.owner(), r.requireUnsigned("object_id"));
    return Reply.of(Replies.ok("release_reply"));
  }

  private Reply isSpilled(Request r, Connection c) {
    boolean spilled = store.isSpilled(r.requireUnsigned("id"));
    return Reply.of(Replies.ok("is_spilled_reply").put("is_spilled", spilled));
  }

  private Reply isInUse(Request r, Connection c) {
    boolean inUse = store.isInUse(r.requireUnsigned("id"));
    return Reply.of(Replies.ok("is_in_use_reply").put("is_in_use", inUse));
  }

  private Reply evict(Request r, Connection c) {
    store.evict(r.requireUnsignedArray("ids"));
    return Reply.of(Replies.ok("evict_reply"));
  }

  private Reply load(Request r, Connection c) {
    long[] ids = r.requireUnsignedArray("ids");
    store.load(ids, r.bool("pin", false));
    return Reply.of(Replies.ok("load_reply"));
  }

  private Reply unpin(Request r, Connection c) {
    store.unpin(r.requireUnsignedArray("ids"));
    return Reply.of(Replies.ok("unpin_reply"));
  }

  /** Free shared memory back to the system; {@code trimmed} says whether any page went. */
  private Reply memoryTrim(Request r, Connection c) {
    return Reply.of(Replies.ok("memory_trim_reply").put("trimmed", store.trimMemory() > 0));
  }
}
