package io.cellar.server.transport;

import io.cellar.server.command.Reply;
import io.cellar.server.protocol.JsonCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one reply completely, in the order the protocol needs: the framed JSON, then the raw blob
 * bytes that follow it (RPC {@code get_remote_buffers}), then, once those bytes are on the socket,
 * each fd the reply names through the connection's {@link FdSender} (IPC), one message per fd. A
 * full socket buffer delays the next fd by a millisecond on the event loop instead of blocking it.
 * When everything is sent the reply is handed to the completion callback; when anything fails the
 * connection is closed (the client cannot tell a half-sent reply from a whole one) and the callback
 * is not called.
 *
 * <p>Not thread-safe: one per connection, used on its event loop only. The blob segments and fds of
 * a reply stay owned by the store; they are only read or passed here.
 */
final class ReplyWriter {
  private static final Logger LOG = LoggerFactory.getLogger(ReplyWriter.class);

  /** Blob bytes are written in slices of at most this size (a ByteBuffer holds under 2 GiB). */
  static final int MAX_SEGMENT_CHUNK = 1 << 30;

  /** How long to wait before retrying an fd the socket had no room for. */
  static final long FD_RETRY_MICROS = 1000;

  private final ChannelHandlerContext ctx;
  private final FdSender fdSender;

  /**
   * A writer for one connection.
   *
   * @param ctx the connection's handler context
   * @param fdSender how its fds are passed
   */
  ReplyWriter(ChannelHandlerContext ctx, FdSender fdSender) {
    this.ctx = ctx;
    this.fdSender = fdSender;
  }

  /**
   * Writes a reply that has JSON, then its bytes and fds, then calls {@code done}.
   *
   * @param reply the reply; {@code reply.json()} is not null
   * @param done called on the event loop once everything is sent
   */
  void write(Reply reply, Consumer<Reply> done) {
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
                LOG.debug("reply write failed, closing the connection: {}", f.cause().toString());
                ctx.close();
              } else {
                sendFds(reply, 0, done);
              }
            });
  }

  /** Passes the reply's fds from index {@code from} on, then calls {@code done}. */
  private void sendFds(Reply reply, int from, Consumer<Reply> done) {
    if (!ctx.channel().isActive()) {
      return;
    }
    int[] fds = reply.fds().fds();
    for (int i = from; i < fds.length; i++) {
      boolean sent;
      try {
        sent = fdSender.trySend(fds[i]);
      } catch (IOException e) {
        LOG.info(
            "passing arena {} failed, closing the connection: {}",
            reply.fds().keys()[i],
            e.toString());
        ctx.close();
        return;
      }
      if (!sent) {
        int next = i;
        ctx.executor()
            .schedule(() -> sendFds(reply, next, done), FD_RETRY_MICROS, TimeUnit.MICROSECONDS);
        return;
      }
    }
    done.accept(reply);
  }
}
