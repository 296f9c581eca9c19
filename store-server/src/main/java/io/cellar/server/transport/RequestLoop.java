package io.cellar.server.transport;

import io.cellar.protocol.CellarException;
import io.cellar.protocol.FrameTooLargeException;
import io.cellar.protocol.StatusCode;
import io.cellar.server.command.CommandDispatcher;
import io.cellar.server.command.ConnectionSession;
import io.cellar.server.command.Reply;
import io.cellar.server.protocol.FrameReader;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one client connection (IPC or RPC) with the reference's discipline: one request at a time,
 * its reply (and the fds or raw bytes that follow it) fully written before the next request is
 * taken. Frames come from a {@link FrameReader} only when the connection is idle, so nothing is
 * decoded ahead of time (the raw bytes of a remote-buffer upload are read as raw bytes, by {@link
 * RawBytesReceiver}), and reads are requested only when idle (auto-read off), which also bounds
 * what a flooding client can make the server buffer. Each request goes through the {@link
 * CommandDispatcher} with the connection's {@link ConnectionSession}; its reply is written by the
 * {@link ReplyWriter}.
 *
 * <p>A request is in one {@link Phase} at a time. A deferred reply parks the connection in {@link
 * Phase#PARKED} without holding the loop: the loop serves other connections, and the reply's
 * completion hops back onto this connection's loop. Work on the pool ({@link Phase#WORKING}) hops
 * back the same way.
 *
 * <p>Threading: every method runs on the channel's event loop. A handler's failure is answered as
 * an error reply (by the dispatcher's {@code RequestFailures}) and never escapes to the loop.
 * Ownership: owns the connection's session (closed once the connection is gone and no request of it
 * runs) and its frame reader.
 */
public final class RequestLoop extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(RequestLoop.class);

  /** Where the connection's one request in flight is. */
  enum Phase {
    /** Idle: taking the next frame. */
    READING,
    /** A handler runs on the event loop, or its reply is being completed there. */
    RUNNING,
    /** A handler runs on the worker pool. */
    WORKING,
    /** The reply is deferred until its future completes. */
    PARKED,
    /** The reply (and its bytes or fds) is being written. */
    WRITING,
    /** The raw bytes of a remote-buffer upload are being received. */
    RECEIVING
  }

  private final CommandDispatcher dispatcher;
  private final ConnectionSession.Opener sessions;
  private final Executor workers;
  private final AtomicLong connectionCount;
  private final boolean rpc;
  private final RawBytesReceiver receiver = new RawBytesReceiver();

  private ChannelHandlerContext ctx;
  private FrameReader reader;
  private ReplyWriter writer;
  private ConnectionSession session;
  private Phase phase = Phase.READING;
  private boolean closed;
  private boolean draining;
  private CommandDispatcher.Prepared inFlight;
  private CompletableFuture<Reply> parked;

  private RequestLoop(ServerResources resources, boolean rpc) {
    this.dispatcher = resources.dispatcher();
    this.sessions = resources.sessions();
    this.workers = resources.workers();
    this.rpc = rpc;
    this.connectionCount =
        rpc ? resources.counters().rpcConnections() : resources.counters().ipcConnections();
  }

  /**
   * The loop of a UNIX-domain (IPC) connection, which passes fds over its socket.
   *
   * @param resources the server's shared resources
   * @return a handler for one new connection
   */
  public static RequestLoop ipc(ServerResources resources) {
    return new RequestLoop(resources, false);
  }

  /**
   * The loop of a TCP (RPC) connection, which passes no fds.
   *
   * @param resources the server's shared resources
   * @return a handler for one new connection
   */
  public static RequestLoop rpc(ServerResources resources) {
    return new RequestLoop(resources, true);
  }

  /**
   * The phase of the request in flight, for tests.
   *
   * @return the phase
   */
  Phase phase() {
    return phase;
  }

  // ------------------------------------------------------------------ Netty events

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.reader = new FrameReader(ctx.alloc());
    this.writer = new ReplyWriter(ctx, fdSender(ctx));
    connectionCount.incrementAndGet();
    try {
      session = sessions.open(rpc);
    } catch (RuntimeException e) {
      LOG.warn("cannot open a session for a new connection: {}", e.toString());
      ctx.close();
      return;
    }
    ctx.read();
  }

  private FdSender fdSender(ChannelHandlerContext ctx) {
    if (!rpc && ctx.channel() instanceof UnixChannel unix) {
      return FdSender.overUnixSocket(unix.fd().intValue());
    }
    return FdSender.NONE;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closed || !(msg instanceof ByteBuf bytes)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    reader.append(bytes);
    if (phase == Phase.RECEIVING) {
      pumpReceive();
    } else if (phase == Phase.READING) {
      drain();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!closed && (phase == Phase.READING || phase == Phase.RECEIVING)) {
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
    receiver.abandon();
    if (parked != null) {
      parked.cancel(false);
      parked = null;
    }
    if (phase != Phase.WORKING) {
      closeSession();
    }
  }

  /**
   * The pipeline is being torn down: the bytes held go even if {@link #channelInactive} never ran
   * (a connection closed by an event loop in its last moments).
   */
  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (reader != null) {
      reader.close();
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

  private void closeSession() {
    if (session != null) {
      try {
        session.close();
      } catch (RuntimeException e) {
        LOG.warn("closing a connection's session failed", e);
      }
    }
  }

  // ------------------------------------------------------------------ one request

  /** Takes requests while idle; a call from inside the loop (a reply done at once) only returns. */
  private void drain() {
    if (draining) {
      return;
    }
    draining = true;
    try {
      while (phase == Phase.READING && !closed) {
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
        try {
          dispatch(frame);
        } finally {
          frame.release();
        }
      }
    } finally {
      draining = false;
    }
  }

  private void dispatch(ByteBuf frame) {
    CommandDispatcher.Prepared prepared = dispatcher.prepare(frame, session);
    inFlight = prepared;
    if (!prepared.onWorker()) {
      phase = Phase.RUNNING;
      complete(dispatcher.run(prepared, session));
      return;
    }
    phase = Phase.WORKING;
    try {
      workers.execute(() -> runOnWorker(prepared));
    } catch (RejectedExecutionException e) {
      phase = Phase.RUNNING;
      complete(
          dispatcher.failure(
              prepared,
              new CellarException(StatusCode.VINEYARD_SERVER_NOT_READY, "server is stopping")));
    }
  }

  /** Runs on a worker thread: the handler, then a hop back to the loop with its reply. */
  private void runOnWorker(CommandDispatcher.Prepared prepared) {
    Reply reply = dispatcher.run(prepared, session);
    try {
      ctx.executor().execute(() -> afterWorker(reply));
    } catch (RejectedExecutionException e) {
      closeSession(); // the loop is gone with the server: nothing will read the reply
    }
  }

  private void afterWorker(Reply reply) {
    if (closed) {
      closeSession();
      return;
    }
    phase = Phase.RUNNING;
    complete(reply);
  }

  private void complete(Reply reply) {
    if (closed) {
      return;
    }
    CompletableFuture<Reply> later = reply.later();
    if (later != null) {
      phase = Phase.PARKED;
      parked = later;
      later.whenComplete(
          (r, t) -> {
            try {
              ctx.executor().execute(() -> resume(later, r, t));
            } catch (RejectedExecutionException e) {
              // the loop is gone with the server; its connections are closed
            }
          });
      return;
    }
    send(reply);
  }

  private void resume(CompletableFuture<Reply> later, Reply reply, Throwable failure) {
    if (closed || parked != later) {
      return;
    }
    parked = null;
    phase = Phase.RUNNING;
    complete(failure == null ? reply : dispatcher.failure(inFlight, failure));
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
    phase = Phase.WRITING;
    writer.write(reply, this::afterReply);
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
      phase = Phase.RECEIVING;
      receiver.start(reply.receive());
      pumpReceive();
      return;
    }
    phase = Phase.READING;
    inFlight = null;
    drain();
  }

  /** Copies raw bytes into the blobs being received; finishes with the second reply. */
  private void pumpReceive() {
    if (!receiver.pump(reader)) {
      ctx.read();
      return;
    }
    Reply second;
    try {
      second = receiver.finish();
    } catch (RuntimeException e) {
      second = dispatcher.failure(inFlight, e);
    }
    phase = Phase.RUNNING;
    send(second);
  }
}
