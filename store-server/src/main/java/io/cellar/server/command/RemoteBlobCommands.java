package io.cellar.server.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.Store;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.Payload;
import io.cellar.protocol.PayloadJson;
import io.cellar.protocol.StatusCode;
import io.cellar.protocol.UnsignedJson;
import io.cellar.server.protocol.Replies;
import io.cellar.server.protocol.Request;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Remote blob commands (reference §2.3 and §5), used over RPC where no fd can travel: the blob
 * bytes follow the JSON inline. Creation replies twice (before and after the bytes); {@code
 * get_remote_buffers} replies once and then writes each non-empty blob's bytes in payload order.
 * RDMA is refused; compression is refused for creations ({@code support_rpc_compression} is false)
 * and, asked for by a reader, answered with plain bytes and {@code compress: false}.
 *
 * <p>Thread-safe: the {@link Store} is thread-safe and no other state is kept.
 */
public final class RemoteBlobCommands {
  private final Store store;
  private final boolean spilling;

  /**
   * Handlers over a store.
   *
   * @param store the store
   * @param spilling whether the store spills (then creations may do file I/O)
   */
  public RemoteBlobCommands(Store store, boolean spilling) {
    this.store = store;
    this.spilling = spilling;
  }

  /**
   * Adds this family's commands.
   *
   * @param table the table to fill
   */
  public void registerInto(CommandTable table) {
    Placement bigCreate = r -> spilling || r.unsigned("size", 0) >= BlobCommands.OFFLOAD_BYTES;
    table
        .add("create_remote_buffer_request", this::createRemoteBuffer, bigCreate)
        .add(
            "create_remote_buffers_request",
            this::createRemoteBuffers,
            r -> spilling || r.has("sizes"))
        .add("get_remote_buffers_request", this::getRemoteBuffers, r -> spilling);
  }

  private static void refuseOptions(Request r) {
    if (r.bool("compress", false)) {
      throw new CellarException(
          StatusCode.NOT_IMPLEMENTED,
          r.type()
              + " with compress=true is not supported: this server reports"
              + " support_rpc_compression=false");
    }
    if (r.bool("use_rdma", false)) {
      throw new CellarException(
          StatusCode.NOT_IMPLEMENTED, r.type() + " with use_rdma=true is not supported");
    }
  }

  private Reply createRemoteBuffer(Request r, Connection c) {
    long size = r.requireSize("size");
    refuseOptions(r);
    Payload p = store.createBlob(c.owner(), size);
    ObjectNode reply = Replies.ok("create_buffer_reply");
    reply.set("created", PayloadJson.write(p));
    reply.put("fd", -1);
    UnsignedJson.put(reply, "id", p.objectId());
    return receiveInto(reply, List.of(p), c.owner());
  }

  private Reply createRemoteBuffers(Request r, Connection c) {
    long[] sizes = r.requireUnsignedArray("sizes");
    long num = r.unsigned("num", sizes.length);
    if (num != sizes.length) {
      throw CellarException.invalid(
          "create_remote_buffers_request has num " + num + " but " + sizes.length + " sizes");
    }
    for (long s : sizes) {
      if (s < 0) {
        throw CellarException.invalid("create_remote_buffers_request has a size over 2^63");
      }
    }
    refuseOptions(r);
    List<Payload> payloads = store.createBlobs(c.owner(), sizes);
    ObjectNode reply = Replies.ok("create_buffers_reply");
    long[] ids = new long[payloads.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = payloads.get(i).objectId();
    }
    reply.put("num", ids.length);
    UnsignedJson.putArray(reply, "ids", ids);
    reply.putArray("fds");
    PayloadJson.putList(reply, payloads);
    return receiveInto(reply, payloads, c.owner());
  }

  private Reply receiveInto(ObjectNode reply, List<Payload> payloads, long owner) {
    List<MemorySegment> targets = new ArrayList<>();
    for (Payload p : payloads) {
      if (p.dataSize() > 0) {
        targets.add(store.blobSegment(p.objectId()));
      }
    }
    return Reply.thenReceive(
        reply,
        new Reply.Receive(
            targets,
            () -> {
              for (Payload p : payloads) {
                if (p.objectId() != ObjectIds.EMPTY_BLOB) {
                  store.seal(owner, p.objectId());
                  store.release(owner, p.objectId());
                }
              }
              return Reply.of(reply);
            }));
  }

  private Reply getRemoteBuffers(Request r, Connection c) {
    long[] ids = r.numberedIds();
    boolean unsafe = r.bool("unsafe", false);
    // compress=true is answered uncompressed with compress=false in the reply: the reference's
    // readers (its RPC client, and a reference vineyardd migrating from this one, which asks for
    // compression whenever its --compression is on) take the reply's flag over their own
    if (r.bool("use_rdma", false)) {
      throw new CellarException(
          StatusCode.NOT_IMPLEMENTED, r.type() + " with use_rdma=true is not supported");
    }
    List<Payload> payloads = store.getBlobs(c.owner(), ids, unsafe);
    List<MemorySegment> bytes = new ArrayList<>();
    for (Payload p : payloads) {
      if (p.dataSize() > 0) {
        bytes.add(store.blobSegment(p.objectId()));
      }
    }
    ObjectNode reply = Replies.ok("get_buffers_reply");
    PayloadJson.putList(reply, payloads);
    reply.putArray("fds");
    reply.put("num", payloads.size());
    reply.put("compress", false);
    return Reply.withBytes(reply, bytes);
  }
}
