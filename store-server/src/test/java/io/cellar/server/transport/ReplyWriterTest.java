package io.cellar.server.transport;

import static io.cellar.server.transport.EmbeddedFrames.reply;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.cellar.server.command.ArenaFds;
import io.cellar.server.command.Reply;
import io.cellar.server.protocol.Replies;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The reply writer: JSON first, then bytes, then each fd through the one fd sender, in order. */
class ReplyWriterTest {
  private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
  private final List<String> events = new ArrayList<>();
  private final List<Reply> done = new ArrayList<>();

  @AfterEach
  void stop() {
    channel.finishAndReleaseAll();
  }

  private ReplyWriter writer(FdSender sender) {
    return new ReplyWriter(channel.pipeline().firstContext(), sender);
  }

  @Test
  void fdsFollowTheWrittenReplyOneByOneInOrder() {
    ReplyWriter writer =
        writer(
            fd -> {
              events.add("fd " + fd + " after " + channel.outboundMessages().size() + " frames");
              return true;
            });
    Reply r =
        Reply.withFds(Replies.ok("x_reply"), new ArenaFds(new int[] {3, 4}, new int[] {30, 40}));
    writer.write(r, done::add);
    assertEquals(List.of("fd 30 after 1 frames", "fd 40 after 1 frames"), events);
    assertEquals(List.of(r), done);
    assertEquals("x_reply", reply(channel).get("type").asText());
  }

  @Test
  void aFullSocketBufferDelaysTheNextFdWithoutBlocking() {
    channel.freezeTime();
    int[] calls = new int[1];
    ReplyWriter writer =
        writer(
            fd -> {
              events.add("try " + fd);
              return fd != 40 || calls[0]++ > 0; // the second fd finds no room the first time
            });
    Reply r =
        Reply.withFds(Replies.ok("x_reply"), new ArenaFds(new int[] {3, 4}, new int[] {30, 40}));
    writer.write(r, done::add);
    assertEquals(List.of("try 30", "try 40"), events);
    assertEquals(List.of(), done, "not done while an fd is pending");
    channel.advanceTimeBy(ReplyWriter.FD_RETRY_MICROS, TimeUnit.MICROSECONDS);
    channel.runScheduledPendingTasks();
    assertEquals(List.of("try 30", "try 40", "try 40"), events);
    assertEquals(List.of(r), done);
  }

  @Test
  void aFailingFdClosesTheConnection() {
    ReplyWriter writer =
        writer(
            fd -> {
              throw new IOException("EBADF");
            });
    writer.write(
        Reply.withFds(Replies.ok("x_reply"), new ArenaFds(new int[] {3}, new int[] {30})),
        done::add);
    channel.runPendingTasks();
    assertFalse(channel.isActive());
    assertEquals(List.of(), done);
  }

  @Test
  void blobBytesFollowTheJson() {
    byte[] bytes = {9, 8, 7};
    writer(FdSender.NONE)
        .write(
            Reply.withBytes(Replies.ok("get_buffers_reply"), List.of(MemorySegment.ofArray(bytes))),
            done::add);
    assertEquals("get_buffers_reply", reply(channel).get("type").asText());
    byte[] got = new byte[3];
    ByteBuf raw = channel.readOutbound();
    raw.readBytes(got);
    raw.release();
    assertArrayEquals(bytes, got);
    ByteBuf end = channel.readOutbound(); // the flush marker
    end.release();
    assertNull(channel.readOutbound());
    assertEquals(1, done.size());
  }
}
