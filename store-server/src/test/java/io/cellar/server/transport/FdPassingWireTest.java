package io.cellar.server.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cellar.server.command.ArenaFds;
import io.cellar.server.command.Reply;
import io.cellar.server.testing.RawUnixClient;
import io.cellar.server.testing.RawWireClient;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketChannel;
import io.netty.channel.unix.UnixChannel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the bytes of the transport's fd passing on a real socket, independent of the store: the
 * reply's JSON arrives with no ancillary data, then each fd arrives alone in a 1-byte message, in
 * order, and is the file the server meant — also when the reply is large enough to be written in
 * pieces and its last bytes still fill the socket's send buffer when the fds are due.
 */
class FdPassingWireTest {
  @TempDir Path dir;
  private EventLoopGroup group;
  private Channel server;
  private int first;
  private int second;
  private int replyPadding;

  @BeforeEach
  void start() throws Exception {
    io.netty.channel.epoll.Epoll.ensureAvailability();
    Path a = Files.write(dir.resolve("a"), "first file".getBytes());
    Path b = Files.write(dir.resolve("b"), "second file".getBytes());
    first = RawUnixClient.openReadOnly(a);
    second = RawUnixClient.openReadOnly(b);
    group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    server =
        new ServerBootstrap()
            .group(group)
            .channel(EpollServerDomainSocketChannel.class)
            .childHandler(
                new ChannelInitializer<DomainSocketChannel>() {
                  @Override
                  protected void initChannel(DomainSocketChannel ch) {
                    ch.pipeline().addLast(new TwoFdReplier());
                  }
                })
            .bind(new DomainSocketAddress(dir.resolve("s.sock").toString()))
            .sync()
            .channel();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close().sync();
    }
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    RawUnixClient.closeFd(first);
    RawUnixClient.closeFd(second);
  }

  /**
   * Replies to any input with a JSON frame announcing two fds, written by the transport's own
   * {@link ReplyWriter} over the socket's {@link FdSender}, as the server writes its replies.
   */
  private final class TwoFdReplier extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ((ByteBuf) msg).release();
      var json = RawWireClient.request("x_reply");
      json.put("padding", "p".repeat(replyPadding));
      json.putArray("fds").add(first).add(second);
      int socketFd = ((UnixChannel) ctx.channel()).fd().intValue();
      new ReplyWriter(ctx, FdSender.overUnixSocket(socketFd))
          .write(
              Reply.withFds(
                  json, new ArenaFds(new int[] {first, second}, new int[] {first, second})),
              r -> {});
    }
  }

  @Test
  void eachFdArrivesAloneAfterTheJson() throws Exception {
    roundTrip();
  }

  @Test
  void fdsFollowALargeReplyWrittenInPieces() throws Exception {
    replyPadding = 4 << 20;
    roundTrip();
  }

  private void roundTrip() throws Exception {
    try (RawWireClient c = new RawWireClient(dir.resolve("s.sock"))) {
      c.sendFrame("{}".getBytes());
      var reply = c.readReply(); // fails if any fd rides on these bytes
      assertEquals("x_reply", reply.get("type").asText());
      int fdA = c.raw().receiveFd(); // fails unless exactly 1 byte + 1 fd
      int fdB = c.raw().receiveFd();
      try {
        assertArrayEquals("first file".getBytes(), read(fdA, 10));
        assertArrayEquals("second file".getBytes(), read(fdB, 11));
      } finally {
        RawUnixClient.closeFd(fdA);
        RawUnixClient.closeFd(fdB);
      }
    }
  }

  private static byte[] read(int fd, int n) throws Exception {
    MemorySegment m = RawUnixClient.map(fd, n, false);
    try {
      return m.toArray(ValueLayout.JAVA_BYTE);
    } finally {
      RawUnixClient.unmap(m);
    }
  }
}
