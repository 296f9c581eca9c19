package io.cellar.server.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.Store;
import io.cellar.core.stream.StreamTable;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.FdAnnouncement;
import io.cellar.protocol.Payload;
import io.cellar.protocol.PayloadJson;
import io.cellar.protocol.UnsignedJson;
import io.cellar.server.protocol.Replies;
import io.cellar.server.protocol.Request;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Streams (reference §2.6) over the store's {@link StreamTable}, and the Plasma-compatible commands
 * (§2.7), which answer NotImplemented (6) with a message saying why rather than "unexpected
 * command". A pull that finds no chunk ready, and a chunk request over the stream threshold, are
 * parked ({@link Parking}): the connection waits, its event loop does not.
 *
 * <p>Thread-safe: the store is thread-safe and no other state is kept. A parked reply is built on
 * the thread that completes it (the other end's request), while its own connection is parked.
 */
public final class StreamCommands {
  /** The Plasma commands. */
  static final String[] PLASMA = {
    "create_buffer_by_plasma_request",
    "get_buffers_by_plasma_request",
    "plasma_seal_request",
    "plasma_release_request",
    "plasma_delete_data_request",
    "move_buffers_ownership_request"
  };

  private final StreamTable streams;
  private final AtomicLong deferred;

  /**
   * The family over a store.
   *
   * @param store the store whose streams these are
   * @param counters where parked requests are counted
   */
  public StreamCommands(Store store, ServerCounters counters) {
    this.streams = store.streams();
    this.deferred = counters.deferredRequests();
  }

  /**
   * Adds this family's commands.
   *
   * @param table the table to fill
   */
  public void registerInto(CommandTable table) {
    table
        .add("create_stream_request", this::create)
        .add("open_stream_request", this::open)
        .add("get_next_stream_chunk_request", this::nextChunk)
        .add("push_next_stream_chunk_request", this::push)
        .add("pull_next_stream_chunk_request", this::pull)
        .add("stop_stream_request", this::stop)
        .add("drop_stream_request", this::drop);
    CommandHandler plasma = new NotBuilt("this server is a Default (1) store, not a Plasma store");
    for (String type : PLASMA) {
      table.add(type, plasma);
    }
  }

  private Reply create(Request r, Connection c) {
    streams.create(r.requireUnsigned("object_id"));
    return Reply.of(Replies.ok("create_stream_reply"));
  }

  private Reply open(Request r, Connection c) {
    long id = r.requireUnsigned("object_id");
    if (!r.has("mode")) {
      throw CellarException.invalid("open_stream_request needs 'mode' (1 read, 2 write)");
    }
    long mode = r.integer("mode", 0);
    if (mode != StreamTable.READ && mode != StreamTable.WRITE) {
      throw CellarException.invalid("stream open mode must be 1 (read) or 2 (write): " + mode);
    }
    streams.open(c.owner(), id, (int) mode);
    return Reply.of(Replies.ok("open_stream_reply"));
  }

  private Reply nextChunk(Request r, Connection c) {
    long id = r.requireUnsigned("id");
    long size = r.requireSize("size");
    if (c.isRpc()) {
      throw CellarException.invalid(
          "get_next_stream_chunk_request passes a file descriptor and needs the IPC socket");
    }
    CompletableFuture<Payload> chunk = streams.nextChunk(c.owner(), id, size);
    if (chunk.isDone()) {
      return chunkReply(chunk.join(), c);
    }
    return Reply.deferred(Parking.park(chunk, p -> chunkReply(p, c), deferred));
  }

  private static Reply chunkReply(Payload p, Connection c) {
    ArenaFds fds = c.arenasToPass(List.of(p));
    ObjectNode reply = Replies.ok("get_next_stream_chunk_reply");
    reply.set("buffer", PayloadJson.write(p));
    FdAnnouncement.putSingle(reply, fds.keys());
    return Reply.withFds(reply, fds);
  }

  private Reply push(Request r, Connection c) {
    streams.push(c.owner(), r.requireUnsigned("id"), r.requireUnsigned("chunk"));
    return Reply.of(Replies.ok("push_next_stream_chunk_reply"));
  }

  private Reply pull(Request r, Connection c) {
    CompletableFuture<Long> chunk = streams.pull(c.owner(), r.requireUnsigned("id"));
    if (chunk.isDone() && !chunk.isCompletedExceptionally()) {
      return pullReply(chunk.join());
    }
    return Reply.deferred(Parking.park(chunk, StreamCommands::pullReply, deferred));
  }

  private static Reply pullReply(long chunk) {
    ObjectNode reply = Replies.ok("pull_next_stream_chunk_reply");
    UnsignedJson.put(reply, "chunk", chunk);
    return Reply.of(reply);
  }

  private Reply stop(Request r, Connection c) {
    streams.stop(r.requireUnsigned("id"), r.requireBool("failed"));
    return Reply.of(Replies.ok("stop_stream_reply"));
  }

  private Reply drop(Request r, Connection c) {
    streams.drop(r.requireUnsigned("id"));
    return Reply.of(Replies.ok("drop_stream_reply"));
  }
}
