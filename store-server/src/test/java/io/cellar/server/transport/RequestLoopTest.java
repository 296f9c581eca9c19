package io.cellar.server.transport;

import static io.cellar.server.transport.EmbeddedFrames.frame;
import static io.cellar.server.transport.EmbeddedFrames.reply;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellar.core.Store;
import io.cellar.core.config.StoreConfig;
import io.cellar.protocol.StatusCode;
import io.cellar.server.command.CommandDispatcher;
import io.cellar.server.command.CommandTable;
import io.cellar.server.command.ConnectionSession;
import io.cellar.server.command.Placement;
import io.cellar.server.command.Reply;
import io.cellar.server.command.RequestFailures;
import io.cellar.server.command.ServerCounters;
import io.cellar.server.protocol.Replies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The request loop on an embedded channel: replies in request order, also behind a deferred reply
 * or a request on the worker pool, failures answered and counted, raw upload bytes received, and a
 * parked request cancelled when its connection goes.
 */
class RequestLoopTest {
  private static final String REGISTER = "{\"type\":\"register_request\"}";

  private final Queue<Runnable> workerQueue = new ArrayDeque<>();
  private final List<StatusCode> failures = new ArrayList<>();
  private final ServerCounters counters = new ServerCounters();
  private final List<CompletableFuture<Reply>> parked = new ArrayList<>();
  private final Arena arena = Arena.ofConfined();
  private final MemorySegment uploadTarget = arena.allocate(10);
  private Store store;
  private EmbeddedChannel channel;

  @BeforeEach
  void start() {
    store = Store.open(StoreConfig.ofLimit(8L << 20));
    CommandTable table =
        new CommandTable()
            .add(
                "register_request",
                (r, c) -> {
                  c.markRegistered();
                  return Reply.of(Replies.ok("register_reply"));
                })
            .add(
                "echo_request",
                (r, c) -> Reply.of(Replies.ok("echo_reply").put("n", r.integer("n", 0))))
            .add(
                "wait_request",
                (r, c) -> {
                  CompletableFuture<Reply> later = new CompletableFuture<>();
                  parked.add(later);
                  return Reply.deferred(later);
                })
            .add(
                "boom_request",
                (r, c) -> {
                  throw new IllegalStateException("boom");
                })
            .add("slow_request", (r, c) -> Reply.of(Replies.ok("slow_reply")), Placement.WORKER)
            .add(
                "upload_request",
                (r, c) ->
                    Reply.thenReceive(
                        Replies.ok("upload_reply").put("step", 1),
                        new Reply.Receive(
                            List.of(uploadTarget),
                            () -> Reply.of(Replies.ok("upload_reply").put("step", 2)))))
            .add("bye_request", (r, c) -> Reply.closeWithoutReply())
            .freeze();
    CommandDispatcher dispatcher =
        new CommandDispatcher(
            table, new RequestFailures(failures::add), CommandDispatcher.RequestObserver.NONE);
    ServerResources resources =
        new ServerResources(
            dispatcher, ConnectionSession.openerFor(store), counters, workerQueue::add);
    channel = new EmbeddedChannel(RequestLoop.ipc(resources));
  }

  @AfterEach
  void stop() {
    channel.finishAndReleaseAll();
    store.close();
    arena.close();
  }

  private void send(String... requests) {
    ByteBuf all = Unpooled.buffer();
    for (String r : requests) {
      ByteBuf f = frame(r);
      all.writeBytes(f);
      f.release();
    }
    channel.writeInbound(all);
  }

  private static void assertType(String type, JsonNode reply) {
    assertTrue(reply != null, "a reply was written");
    assertEquals(type, reply.path("type").asText(), reply::toString);
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() {
    send(REGISTER, "{\"type\":\"echo_request\",\"n\":1}", "{\"type\":\"echo_request\",\"n\":2}");
    assertType("register_reply", reply(channel));
    assertEquals(1, reply(channel).get("n").asInt());
    assertEquals(2, reply(channel).get("n").asInt());
    assertNull(reply(channel));
    assertEquals(1, counters.ipcConnections().get());
    assertEquals(RequestLoop.Phase.READING, ((RequestLoop) channel.pipeline().first()).phase());
  }

  @Test
  void aDeferredReplyParksTheConnectionNotTheLoopAndKeepsTheOrder() {
    send(REGISTER, "{\"type\":\"wait_request\"}", "{\"type\":\"echo_request\",\"n\":3}");
    assertType("register_reply", reply(channel));
    assertNull(reply(channel), "nothing is answered past the parked request");
    assertEquals(RequestLoop.Phase.PARKED, ((RequestLoop) channel.pipeline().first()).phase());
    channel.runPendingTasks(); // the loop is free meanwhile: it runs whatever else it has

    parked.get(0).complete(Reply.of(Replies.ok("wait_reply")));
    channel.runPendingTasks(); // the completion hops back onto the connection's loop
    assertType("wait_reply", reply(channel));
    assertEquals(3, reply(channel).get("n").asInt(), "the request behind it comes next");
  }

  @Test
  void aFailedDeferredReplyIsAnsweredAndCounted() {
    send(REGISTER, "{\"type\":\"wait_request\"}");
    reply(channel);
    parked.get(0).completeExceptionally(new IllegalArgumentException("late"));
    channel.runPendingTasks();
    JsonNode error = reply(channel);
    assertEquals(1, error.get("code").asInt());
    assertEquals("wait_request: late", error.get("message").asText());
    assertEquals(List.of(StatusCode.INVALID), failures);
  }

  @Test
  void aRequestOnTheWorkerPoolKeepsItsPlace() {
    send(REGISTER, "{\"type\":\"slow_request\"}", "{\"type\":\"echo_request\",\"n\":4}");
    assertType("register_reply", reply(channel));
    assertNull(reply(channel));
    assertEquals(RequestLoop.Phase.WORKING, ((RequestLoop) channel.pipeline().first()).phase());
    workerQueue.remove().run(); // the worker thread
    channel.runPendingTasks(); // its hop back to the loop
    assertType("slow_reply", reply(channel));
    assertEquals(4, reply(channel).get("n").asInt());
  }

  @Test
  void failuresAreAnsweredCountedUnderTheirCodeAndTheConnectionGoesOn() {
    send(
        "{\"type\":\"echo_request\"}",
        REGISTER,
        "{not json",
        "{\"type\":\"frobnicate_request\"}",
        "{\"type\":\"boom_request\"}",
        "{\"type\":\"echo_request\",\"n\":5}");
    JsonNode unregistered = reply(channel);
    assertEquals(1, unregistered.get("code").asInt());
    assertTrue(unregistered.get("message").asText().contains("not registered"));
    assertType("register_reply", reply(channel));
    assertTrue(reply(channel).get("message").asText().contains("Failed to parse"));
    assertTrue(reply(channel).get("message").asText().contains("unexpected command"));
    assertEquals(255, reply(channel).get("code").asInt());
    assertEquals(5, reply(channel).get("n").asInt(), "the connection still serves");
    assertEquals(
        List.of(
            StatusCode.INVALID, StatusCode.INVALID, StatusCode.INVALID, StatusCode.UNKNOWN_ERROR),
        failures);
    assertTrue(channel.isActive());
  }

  @Test
  void rawUploadBytesGoIntoTheTargetBeforeTheSecondReply() {
    send(REGISTER, "{\"type\":\"upload_request\"}");
    assertType("register_reply", reply(channel));
    assertEquals(1, reply(channel).get("step").asInt());
    channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 1, 2, 3}));
    assertNull(reply(channel), "waiting for the rest of the bytes");
    ByteBuf rest = Unpooled.buffer().writeBytes(new byte[] {4, 5, 6, 7, 8, 9});
    ByteBuf next = frame("{\"type\":\"echo_request\",\"n\":6}");
    rest.writeBytes(next); // the next request arrives right behind the bytes
    next.release();
    channel.writeInbound(rest);
    assertEquals(2, reply(channel).get("step").asInt());
    assertArrayEquals(
        new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, uploadTarget.toArray(ValueLayout.JAVA_BYTE));
    assertEquals(6, reply(channel).get("n").asInt());
  }

  @Test
  void aParkedRequestIsCancelledWhenItsConnectionGoes() {
    send(REGISTER, "{\"type\":\"wait_request\"}");
    reply(channel);
    channel.close();
    channel.runPendingTasks();
    assertTrue(parked.get(0).isCancelled());
    assertEquals(0, counters.ipcConnections().get());
    parked.get(0).complete(Reply.of(Replies.ok("wait_reply"))); // too late: ignored
    channel.runPendingTasks();
    assertNull(reply(channel));
  }

  @Test
  void exitClosesWithoutAReply() {
    send(REGISTER, "{\"type\":\"bye_request\"}", "{\"type\":\"echo_request\"}");
    assertType("register_reply", reply(channel));
    channel.runPendingTasks();
    assertNull(reply(channel));
    assertFalse(channel.isActive());
  }
}
