package io.cellar.server.transport;

import io.cellar.posix.FdPassing;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.FrameTooLargeException;
import io.cellar.protocol.Payload;
import io.cellar.protocol.StatusCode;
import io.cellar.server.command.CommandDispatcher;
import io.cellar.server.command.Connection;
import io.cellar.server.command.Reply;
import io.cellar.server.protocol.FrameReader;
import io.cellar.server.protocol.JsonCodec;
import io.cellar.server.protocol.Replies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one client connection (IPC or RPC) with the reference's discipline: one request at a time,
 * its reply (and the fds or raw bytes that follow it) fully written before the next request is
 * taken. Requests are pulled from a {@link FrameReader} only when the connection is idle, so
 * nothing is decoded ahead of time and the raw blob bytes of a remote-buffer creation are read as
 * raw bytes. Reads are requested only when idle (auto-read off), which also bounds what a flooding
 * client can make the server buffer.
 *
 * <p>Threading: every method runs on the channel's event loop. Offloaded handlers and parked
 * requests complete elsewhere and hop back with {@code eventLoop().execute}. A handler's failure is
 * answered as an error reply and never escapes to the loop.
 */
public final class ConnectionHandler extends ChannelInboundHandlerAdapter implements Connection {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);
  private static final int MAX_SEGMENT_CHUNK = 1 << 30;

  private final ServerResources resources;
  private final boolean rpc;
  private final AtomicLong connectionCount;
  private final Set<Integer> sentStoreFds = new HashSet<>();

  private ChannelHandlerContext ctx;
  private FrameReader reader;
  private long owner;
  private boolean ownerOpen;
  private boolean registered;
  private boolean busy;
  private boolean draining;
  private boolean closed;
  private boolean workerRunning;
  private CompletableFuture<Reply> parked;
  private io.cellar.server.protocol.Request inFlight;

  private Reply.Receive receive;
  private int receiveIndex;
  private long receiveOffset;

  /**
   * A handler for one new connection.
   *
   * @param resources the server's shared resources
   * @param rpc whether this is a TCP connection
   */
  public ConnectionHandler(ServerResources resources, boolean rpc) {
    this.resources = resources;
    this.rpc = rpc;
    this.connectionCount =
        rpc ? resources.counters().rpcConnections() : resources.counters().ipcConnections();
  }

  // ------------------------------------------------------------------ Connection

  @Override
  public long owner() {
    return owner;
  }

  @Override
  public boolean isRpc() {
    return rpc;
  }

  @Override
  public boolean registered() {
    return registered;
  }

  @Override
  public void markRegistered() {
    registered = true;
  }

  @Override
  public int[] takeNewStoreFds(List<Payload> payloads) {
    if (rpc) {
      return new int[0];
    }
    int[] out = new int[payloads.size()];
    int n = 0;
    for (Payload p : payloads) {
      if (p.dataSize() > 0 && p.storeFd() >= 0 && sentStoreFds.add(p.storeFd())) {
        out[n++] = p.storeFd();
      }
    }
    return java.util.Arrays.copyOf(out, n);
  }

  // ------------------------------------------------------------------ Netty events

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.reader = new FrameReader(ctx.alloc());
    connectionCount.incrementAndGet();
    try {
      owner = resources.store().openOwner();
      ownerOpen = true;
    } catch (RuntimeException e) {
      LOG.warn("cannot open a store owner for a new connection: {}", e.toString());
      ctx.close();
      return;
    }
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closed || !(msg instanceof ByteBuf bytes)) {
      io.netty.util.ReferenceCountUtil.release(msg);
      return;
    }
    reader.append(bytes);
    if (receive != null) {
      pumpReceive();
    } else {
      drain();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!closed && (!busy || receive != null)) {
      ctx.read();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (closed) {
      return;
    }
    closed = true;
    connectionCount.decrementAndGet();
    if (reader != null) {
      reader.close();
    }
    receive = null;
    if (parked != null) {
      parked.cancel(false);
      parked = null;
    }
    if (!workerRunning) {
      closeOwner();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException) {
      LOG.debug("connection error: {}", cause.toString());
    } else {
      LOG.warn("connection failed", cause);
    }
    ctx.close();
  }

  private void closeOwner() {
    if (ownerOpen) {
      ownerOpen = false;
      try {
        resources.store().closeOwner(owner);
      } catch (RuntimeException e) {
        LOG.warn("closing store owner {} failed", owner, e);
      }
    }
  }

  // ------------------------------------------------------------------ the request loop

  /** Takes requests while idle; re-entrant calls only mark progress. */
  private void drain() {
    if (draining) {
      return;
    }
    draining = true;
    try {
      while (!busy && !closed) {
        ByteBuf frame;
        try {
          frame = reader.nextFrame();
        } catch (FrameTooLargeException e) {
          LOG.info("closing a connection: {}", e.getMessage());
          ctx.close();
          return;
        }
        if (frame == null) {
          ctx.read();
          return;
        }
        busy = true;
        try {
          start(frame);
        } finally {
          frame.release();
        }
      }
    } finally {
      draining = false;
    }
  }

  private void start(ByteBuf frame) {
    CommandDispatcher dispatcher = resources.dispatcher();
    CommandDispatcher.Prepared prepared = dispatcher.prepare(frame, this);
    inFlight = prepared.request();
    if (prepared.onWorker()) {
      workerRunning = true;
      try {
        resources
            .workers()
            .execute(
                () -> {
                  Reply reply = dispatcher.run(prepared, this);
                  ctx.channel().eventLoop().execute(() -> afterWorker(reply));
                });
      } catch (RejectedExecutionException e) {
        workerRunning = false;
        complete(
            Reply.of(Replies.error(StatusCode.VINEYARD_SERVER_NOT_READY, "server is stopping")));
      }
      return;
    }
    complete(dispatcher.run(prepared, this));
  }

  private void afterWorker(Reply reply) {
    workerRunning = false;
    if (closed) {
      closeOwner();
      return;
    }
    complete(reply);
  }

  private void complete(Reply reply) {
    if (closed) {
      return;
    }
    if (reply.later() != null) {
      CompletableFuture<Reply> later = reply.later();
      parked = later;
      later.whenComplete(
          (r, t) ->
              ctx.channel()
                  .eventLoop()
                  .execute(
                      () -> {
                        if (parked != later || closed) {
                          return;
                        }
                        parked = null;
                        complete(t == null ? r : resources.dispatcher().failure(inFlight, t));
                      }));
      return;
    }
    send(reply);
  }

  private void send(Reply reply) {
    if (reply.json() == null) {
      if (reply.close()) {
        ctx.close();
      } else {
        afterReply(reply);
      }
      return;
    }
    ByteBuf frame = JsonCodec.encodeFrame(reply.json(), ctx.alloc());
    ChannelFuture written;
    if (reply.bytesAfter().isEmpty()) {
      written = ctx.writeAndFlush(frame);
    } else {
      ctx.write(frame, ctx.voidPromise());
      for (MemorySegment segment : reply.bytesAfter()) {
        for (long off = 0; off < segment.byteSize(); off += MAX_SEGMENT_CHUNK) {
          long n = Math.min(MAX_SEGMENT_CHUNK, segment.byteSize() - off);
          ctx.write(
              Unpooled.wrappedBuffer(segment.asSlice(off, n).asByteBuffer()), ctx.voidPromise());
        }
      }
      written = ctx.writeAndFlush(Unpooled.EMPTY_BUFFER);
    }
    written.addListener(
        (ChannelFutureListener)
            f -> {
              if (!f.isSuccess()) {
                LOG.debug("reply write failed: {}", String.valueOf(f.cause()));
                ctx.close();
              } else if (reply.storeFds().length > 0) {
                sendFds(reply, 0);
              } else {
                afterReply(reply);
              }
            });
  }

  /** Passes each fd in its own 1-byte message, retrying while the socket buffer is full. */
  private void sendFds(Reply reply, int from) {
    if (closed) {
      return;
    }
    int socketFd = ((UnixChannel) ctx.channel()).fd().intValue();
    int[] keys = reply.storeFds();
    for (int i = from; i < keys.length; i++) {
      try {
        int fd = resources.store().arenaFileDescriptor(keys[i]);
        if (!FdPassing.sendFd(socketFd, fd)) {
          int next = i;
          ctx.channel().eventLoop().schedule(() -> sendFds(reply, next), 1, TimeUnit.MILLISECONDS);
          return;
        }
      } catch (IOException | CellarException e) {
        LOG.info("passing arena {} failed, closing the connection: {}", keys[i], e.toString());
        ctx.close();
        return;
      }
    }
    afterReply(reply);
  }

  private void afterReply(Reply reply) {
    if (closed) {
      return;
    }
    if (reply.close()) {
      ctx.close();
      return;
    }
    if (reply.receive() != null) {
      receive = reply.receive();
      receiveIndex = 0;
      receiveOffset = 0;
      pumpReceive();
      return;
    }
    busy = false;
    drain();
  }

  /** Copies raw bytes into the blobs being received; finishes with the second reply. */
  private void pumpReceive() {
    List<MemorySegment> targets = receive.targets();
    while (receiveIndex < targets.size() && reader.readableBytes() > 0) {
      MemorySegment target = targets.get(receiveIndex);
      long want = Math.min(target.byteSize() - receiveOffset, MAX_SEGMENT_CHUNK);
      receiveOffset += reader.readRawInto(target.asSlice(receiveOffset, want).asByteBuffer());
      if (receiveOffset == target.byteSize()) {
        receiveIndex++;
        receiveOffset = 0;
      }
    }
    if (receiveIndex < targets.size()) {
      ctx.read();
      return;
    }
    Reply.Receive done = receive;
    receive = null;
    Reply second;
    try {
      second = done.onComplete().get();
    } catch (RuntimeException e) {
      second = Reply.of(Replies.error(e instanceof CellarException ce ? ce : wrap(e)));
    }
    send(second);
  }

  private static CellarException wrap(RuntimeException e) {
    return new CellarException(StatusCode.UNKNOWN_ERROR, e.toString(), e);
  }
}
