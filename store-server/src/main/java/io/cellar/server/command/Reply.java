package io.cellar.server.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a handler answers: a JSON reply, optionally followed by passed fds (IPC) or raw blob bytes
 * (RPC); or no reply and a closed connection; or a reply that comes later. Everything the transport
 * needs to send is already resolved here (the fds are open file descriptors, the bytes are segments
 * of blob memory), so the transport never calls into the store.
 *
 * <p>Immutable once built; may be handed from a worker or the store's thread to the event loop.
 */
public final class Reply {
  private static final ArenaFds NO_FDS = ArenaFds.NONE;
  private static final Reply CLOSE = new Reply(null, NO_FDS, true, null, List.of(), null);

  private final ObjectNode json;
  private final ArenaFds fds;
  private final boolean close;
  private final CompletableFuture<Reply> later;
  private final List<MemorySegment> bytesAfter;
  private final Receive receive;

  private Reply(
      ObjectNode json,
      ArenaFds fds,
      boolean close,
      CompletableFuture<Reply> later,
      List<MemorySegment> bytesAfter,
      Receive receive) {
    this.json = json;
    this.fds = fds;
    this.close = close;
    this.later = later;
    this.bytesAfter = bytesAfter;
    this.receive = receive;
  }

  /**
   * Raw bytes the connection must read into blob memory after sending the reply, then finish with a
   * second reply (the remote-buffer creation of reference §5).
   *
   * @param targets where the bytes go, filled in order, each completely
   * @param onComplete builds the second reply once every target is full (runs on the event loop)
   */
  public record Receive(List<MemorySegment> targets, Supplier<Reply> onComplete) {}

  /**
   * A plain reply.
   *
   * @param json the reply object
   * @return the reply
   */
  public static Reply of(ObjectNode json) {
    return new Reply(json, NO_FDS, false, null, List.of(), null);
  }

  /**
   * A reply followed by one {@code SCM_RIGHTS} message per arena fd, in order.
   *
   * @param json the reply object, whose {@code fd}/{@code fds} announce exactly {@code fds.keys()}
   * @param fds the arenas passed after the reply, resolved by {@link Connection#arenasToPass}
   * @return the reply
   */
  public static Reply withFds(ObjectNode json, ArenaFds fds) {
    return new Reply(json, fds, false, null, List.of(), null);
  }

  /**
   * No reply; the connection is closed ({@code exit_request}).
   *
   * @return the shared instance
   */
  public static Reply closeWithoutReply() {
    return CLOSE;
  }

  /**
   * A reply after which the connection is closed.
   *
   * @param json the reply object
   * @return the reply
   */
  public static Reply thenClose(ObjectNode json) {
    return new Reply(json, NO_FDS, true, null, List.of(), null);
  }

  /**
   * A reply that completes later (parked {@code wait} requests, or work done off the loop).
   *
   * @param later the future reply
   * @return the deferred reply
   */
  public static Reply deferred(CompletableFuture<Reply> later) {
    return new Reply(null, NO_FDS, false, later, List.of(), null);
  }

  /**
   * The reply to a request whose work completes with a future (a store change that is shared with
   * the cluster): built at once when the future is already done, as it is with local metadata, else
   * deferred until it completes. A failed future is answered as the handler's error would be. Never
   * waits for the future.
   *
   * @param done the work's completion
   * @param then builds the reply from its value; runs on the thread that completes the future, or
   *     on the caller's when it is done already
   * @param <T> the value type
   * @return the reply
   */
  public static <T> Reply after(CompletableFuture<T> done, Function<? super T, Reply> then) {
    if (done.isDone() && !done.isCompletedExceptionally()) {
      return then.apply(done.join());
    }
    return deferred(done.thenApply(then));
  }

  /**
   * A reply followed by raw bytes (RPC {@code get_remote_buffers}).
   *
   * @param json the reply object
   * @param bytes the segments to write after it, in order
   * @return the reply
   */
  public static Reply withBytes(ObjectNode json, List<MemorySegment> bytes) {
    return new Reply(json, NO_FDS, false, null, List.copyOf(bytes), null);
  }

  /**
   * A reply after which raw bytes are received into blob memory, then a second reply is sent.
   *
   * @param json the first reply object
   * @param receive where the bytes go and how to finish
   * @return the reply
   */
  public static Reply thenReceive(ObjectNode json, Receive receive) {
    return new Reply(json, NO_FDS, false, null, List.of(), receive);
  }

  /**
   * The JSON reply, or null for none.
   *
   * @return the object
   */
  public ObjectNode json() {
    return json;
  }

  /**
   * The arena fds to pass after the reply: the transport sends {@code fds().fds()} in order and
   * asks nothing of the store.
   *
   * @return the fds, possibly {@link ArenaFds#NONE}
   */
  public ArenaFds fds() {
    return fds;
  }

  /**
   * Whether the connection closes after this reply.
   *
   * @return true to close
   */
  public boolean close() {
    return close;
  }

  /**
   * The future reply of a deferred reply, or null.
   *
   * @return the future
   */
  public CompletableFuture<Reply> later() {
    return later;
  }

  /**
   * Raw bytes to write after the reply.
   *
   * @return the segments, possibly empty
   */
  public List<MemorySegment> bytesAfter() {
    return bytesAfter;
  }

  /**
   * Raw bytes to receive after the reply, or null.
   *
   * @return the receive plan
   */
  public Receive receive() {
    return receive;
  }
}
