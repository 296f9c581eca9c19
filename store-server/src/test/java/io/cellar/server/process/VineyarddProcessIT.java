package io.cellar.server.process;

import static io.cellar.server.process.Wire.error;
import static io.cellar.server.process.Wire.ok;
import static io.cellar.server.process.Wire.putBlob;
import static io.cellar.server.process.Wire.putObject;
import static io.cellar.server.process.Wire.req;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.Payload;
import io.cellar.protocol.PayloadJson;
import io.cellar.server.testing.RawWireClient;
import io.cellar.testing.daemon.VineyarddExtension;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The daemon as a real process, driven over its UNIX socket by raw protocol clients. */
class VineyarddProcessIT {
  @RegisterExtension static final VineyarddExtension SERVER = TestDaemons.server("256M");

  private static RawWireClient client() throws IOException {
    return RawWireClient.connect(SERVER.socket());
  }

  private static byte[] pattern(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 + seed);
    }
    return b;
  }

  @Test
  void registerReplyHasTheReferenceFields() throws Exception {
    try (RawWireClient c = new RawWireClient(SERVER.socket())) {
      JsonNode r =
          ok(
              c.call(req("register_request").put("version", "0.24.2").put("store_type", 1)),
              "register_reply");
      assertEquals(io.cellar.protocol.VineyardVersion.VALUE, r.get("version").asText());
      assertTrue(r.get("store_match").asBoolean());
      assertFalse(r.get("support_rpc_compression").asBoolean());
      assertEquals(0, r.get("instance_id").asLong());
      assertEquals(0, r.get("session_id").asLong());
      assertEquals(SERVER.socket().toString(), r.get("ipc_socket").asText());
      assertTrue(r.get("rpc_endpoint").asText().endsWith(":" + SERVER.rpcPort()));
      JsonNode plasma = c.call(req("register_request").put("store_type", 2));
      assertFalse(ok(plasma, "register_reply").get("store_match").asBoolean());
    }
  }

  @Test
  void bytesWrittenThroughOneMappingAreReadThroughAnotherConnections() throws Exception {
    byte[] data = pattern(1 << 20, 7);
    try (RawWireClient writer = client();
        RawWireClient reader = client()) {
      Payload p = putBlob(writer, data);
      assertEquals(0, p.dataOffset() % 64, "64-byte aligned");
      assertTrue(p.dataOffset() + p.dataSize() <= p.mapSize() - 8, "clear of the last 8 bytes");
      assertEquals(1, writer.receivedFdCount());
      JsonNode got =
          ok(
              reader.call(req("get_buffers_request").put("num", 1).put("0", p.objectId())),
              "get_buffers_reply");
      assertEquals(1, got.get("num").asInt());
      assertEquals(got.get("payloads").get(0), got.get("0"));
      assertFalse(got.get("compress").asBoolean());
      Payload q = PayloadJson.read(got.get("payloads").get(0));
      assertTrue(q.sealed());
      assertArrayEquals(data, reader.blob(q).toArray(ValueLayout.JAVA_BYTE));
      assertEquals(1, reader.receivedFdCount());
    }
  }

  @Test
  void theArenaFdIsPassedOncePerConnection() throws Exception {
    try (RawWireClient c = client()) {
      putBlob(c, pattern(100, 1));
      JsonNode second = c.call(req("create_buffer_request").put("size", 200));
      assertEquals(-1, ok(second, "create_buffer_reply").get("fd").asInt());
      // the strict client fails on the next read if a stray fd byte had been sent
      ok(c.call(req("instance_status_request")), "instance_status_reply");
      JsonNode many =
          c.call(
              req("create_buffers_request")
                  .put("num", 2)
                  .set("sizes", RawWireClient.JSON.createArrayNode().add(10).add(0)));
      ok(many, "create_buffers_reply");
      assertEquals(0, many.get("fds").size());
      assertEquals(2, many.get("ids").size());
      assertEquals(many.get("payloads").get(1), many.get("1"));
      assertEquals(ObjectIds.EMPTY_BLOB, many.get("ids").get(1).bigIntegerValue().longValue());
      assertEquals(1, c.receivedFdCount());
    }
  }

  @Test
  void createBuffersOnAFreshConnectionAnnouncesTheArenaOnce() throws Exception {
    try (RawWireClient c = client()) {
      JsonNode many =
          c.call(
              req("create_buffers_request")
                  .put("num", 3)
                  .set("sizes", RawWireClient.JSON.createArrayNode().add(64).add(128).add(1)));
      ok(many, "create_buffers_reply");
      assertEquals(1, many.get("fds").size());
      assertEquals(1, c.receivedFdCount());
    }
  }

  @Test
  void emptyBlobNeedsNoFd() throws Exception {
    try (RawWireClient c = client()) {
      JsonNode r = ok(c.call(req("create_buffer_request").put("size", 0)), "create_buffer_reply");
      assertEquals(-1, r.get("fd").asInt());
      assertEquals("9223372036854775808", r.get("id").asText());
      assertEquals(-1, r.get("created").get("store_fd").asInt());
      assertEquals(0, c.receivedFdCount());
    }
  }

  @Test
  void getDataWithWaitIsReleasedByAnotherConnectionWithoutBlockingOthers() throws Exception {
    try (RawWireClient waiter = client();
        RawWireClient other = client()) {
      ObjectNode meta = RawWireClient.JSON.createObjectNode();
      meta.put("typename", "cellar::Waited").put("instance_id", 0).put("nbytes", 0);
      long id =
          ok(other.call(req("create_data_request").set("content", meta)), "create_data_reply")
              .get("id")
              .asLong();
      // wait for a name: the waiter parks until `other` names the object
      waiter.sendFrame(
          RawWireClient.JSON.writeValueAsBytes(
              req("get_name_request").put("name", "parked-name").put("wait", true)));
      ok(other.call(req("persist_request").put("id", id)), "persist_reply");
      awaitDeferred(other, 1);
      ok(
          other.call(req("put_name_request").put("name", "parked-name").put("object_id", id)),
          "put_name_reply");
      JsonNode released = ok(waiter.readReply(), "get_name_reply");
      assertEquals(id, released.get("object_id").asLong());
    }
  }

  @Test
  void getDataWithWaitAnswersAtOnceForExistingIds() throws Exception {
    try (RawWireClient waiter = client();
        RawWireClient other = client()) {
      ObjectNode meta = RawWireClient.JSON.createObjectNode();
      meta.put("typename", "cellar::Waited").put("instance_id", 0);
      long id =
          ok(other.call(req("create_data_request").set("content", meta)), "create_data_reply")
              .get("id")
              .asLong();
      JsonNode now =
          waiter.call(
              req("get_data_request")
                  .put("wait", true)
                  .put("sync_remote", true)
                  .set("id", RawWireClient.JSON.createArrayNode().add(id)));
      assertTrue(ok(now, "get_data_reply").get("content").has(ObjectIds.toText(id)));
      JsonNode missing =
          waiter.call(
              req("get_data_request")
                  .put("wait", false)
                  .set("id", RawWireClient.JSON.createArrayNode().add(12345)));
      assertTrue(ok(missing, "get_data_reply").get("content").isNull(), "null, as the reference");
    }
  }

  /** Polls instance_status (bounded) until at least {@code n} requests are parked. */
  @Test
  void aParkedRequestStopsCountingWhenItsClientLeaves() throws Exception {
    try (RawWireClient other = client()) {
      try (RawWireClient waiter = client()) {
        waiter.sendFrame(
            RawWireClient.JSON.writeValueAsBytes(
                req("get_name_request")
                    .put("name", "left-" + System.nanoTime())
                    .put("wait", true)));
        awaitDeferred(other, 1);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      long deferred = -1;
      while (deferred != 0 && System.nanoTime() < deadline) {
        deferred =
            ok(other.call(req("instance_status_request")), "instance_status_reply")
                .get("meta")
                .get("deferred_requests")
                .asLong();
      }
      assertEquals(0, deferred, "instance_status counts only live parked requests");
    }
  }

  private static void awaitDeferred(RawWireClient c, long n) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    long deferred = 0;
    while (deferred < n && System.nanoTime() < deadline) {
      deferred =
          ok(c.call(req("instance_status_request")), "instance_status_reply")
              .get("meta")
              .get("deferred_requests")
              .asLong();
    }
    assertTrue(deferred >= n, "the parked request is counted and others are served meanwhile");
  }

  @Test
  void replyTypesOfTheOddCommands() throws Exception {
    try (RawWireClient c = client()) {
      ok(c.call(req("cluster_meta")), "cluster_meta");
      JsonNode meta = c.call(req("cluster_meta")).get("meta").get("i0");
      for (String f :
          new String[] {
            "hostid", "hostname", "nodename", "rpc_endpoint", "ipc_socket", "timestamp"
          }) {
        assertTrue(meta.has(f), f);
      }
      ok(
          c.call(req("list_data_request").put("pattern", "vineyard::*").put("limit", 10)),
          "get_data_reply");
      Payload p = putBlob(c, pattern(64, 3));
      ObjectNode ids = req("x");
      ids.putArray("ids").add(io.cellar.protocol.UnsignedJson.node(p.objectId()));
      ok(c.call(req("load_request").put("pin", false).set("ids", ids.get("ids"))), "load_reply");
      ok(c.call(req("unpin_request").set("ids", ids.get("ids"))), "unpin_reply");
      JsonNode evicted = c.call(req("evict_request").set("ids", ids.get("ids")));
      assertTrue(evicted.path("type").asText().equals("evict_reply") || evicted.has("code"));
      JsonNode st = ok(c.call(req("instance_status_request")), "instance_status_reply");
      JsonNode m = st.get("meta");
      assertTrue(m.get("memory_usage").asLong() >= 64);
      assertEquals(256L << 20, m.get("memory_limit").asLong());
      assertTrue(m.get("ipc_connections").asLong() >= 1);
      assertEquals("local", m.get("deployment").asText());
      ok(c.call(req("create_stream_request").put("object_id", 1)), "create_stream_reply");
      error(c.call(req("create_stream_request").put("object_id", 1)), 11, "already exists");
      ok(c.call(req("drop_stream_request").put("id", 1)), "drop_stream_reply");
      error(c.call(req("new_session_request")), 6, "Session");
      ok(c.call(req("debug_command").putNull("debug")), "debug_reply");
      ok(c.call(req("memory_trim_request")), "memory_trim_reply");
    }
  }

  // ---------------------------------------------------------------- bad input

  @Test
  void badInputIsAnsweredAndTheConnectionKeepsWorking() throws Exception {
    long survivor;
    try (RawWireClient setup = client()) {
      Payload p = putBlob(setup, pattern(256, 9));
      survivor = putObject(setup, p.objectId(), 256);
    }
    try (RawWireClient c = new RawWireClient(SERVER.socket())) {
      c.sendFrame("{\"type\":\"get_data_request\",\"id\":[1]}".getBytes());
      error(c.readReply(), 1, "The connection is not registered yet, command is: get_data_request");
      ok(c.call(req("register_request")), "register_reply");
      c.sendFrame("{not json".getBytes());
      error(c.readReply(), 1, "Failed to parse the JSON message");
      c.sendFrame(new byte[0]);
      error(c.readReply(), 1, "Failed to parse");
      c.sendFrame("{\"no_type\":1}".getBytes());
      error(c.readReply(), 1, "no 'type' field");
      error(c.call(req("frobnicate_request")), 1, "Got unexpected command: frobnicate_request");
      error(c.call(req("create_buffer_request")), 1, "Missing field 'size'");
      error(c.call(req("create_buffer_request").put("size", "big")), 1, "'size'");
      error(c.call(req("seal_request").put("object_id", -5.5)), 1, "'object_id'");
      error(c.call(req("get_data_request").put("id", "nope")), 1, "'id'");
      error(c.call(req("get_name_request").put("name", 5).put("wait", false)), 1, "'name'");
      error(
          c.call(
              req("get_data_request")
                  .put("wait", "yes")
                  .set("id", RawWireClient.JSON.createArrayNode().add(1))),
          1,
          "'wait'");
      error(c.call(req("create_data_request").put("content", 3)), 1, "'content'");
      error(c.call(req("get_name_request").put("name", "absent-name").put("wait", false)), 12, "");
      JsonNode exists = c.call(req("exists_request").put("id", survivor));
      assertTrue(ok(exists, "exists_reply").get("exists").asBoolean());
    }
    assertServing(survivor);
  }

  @Test
  void oversizedLengthClosesOnlyThatConnection() throws Exception {
    try (RawWireClient c = client()) {
      java.nio.ByteBuffer h =
          java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      c.raw().write(h.putLong((256L << 20) + 1).array());
      assertTrue(c.raw().readsEof(), "closed without a reply");
    }
    assertServing(-1);
  }

  @Test
  void connectionsThatVanishAnywhereLeaveTheServerServing() throws Exception {
    // closes without sending anything (Python's launcher probe)
    new RawWireClient(SERVER.socket()).close();
    // closes mid-header and mid-body
    try (RawWireClient c = client()) {
      c.raw().write(new byte[] {10, 0, 0});
    }
    try (RawWireClient c = client()) {
      c.raw().write(new byte[] {100, 0, 0, 0, 0, 0, 0, 0, '{', '"'});
    }
    // closes before receiving the fd that follows its reply
    try (RawWireClient c = new RawWireClient(SERVER.socket())) {
      c.sendFrame("{\"type\":\"register_request\"}".getBytes());
      c.sendFrame("{\"type\":\"create_buffer_request\",\"size\":4096}".getBytes());
    }
    // leaves a parked request behind
    try (RawWireClient c = client()) {
      c.sendFrame(
          RawWireClient.JSON.writeValueAsBytes(
              req("get_name_request").put("name", "gone-" + System.nanoTime()).put("wait", true)));
    }
    // exit_request: no reply, connection closed
    try (RawWireClient c = client()) {
      c.exit();
      assertTrue(c.raw().readsEof());
    }
    assertServing(-1);
  }

  @Test
  void aClientKilledMidFrameLeavesTheServerServing() throws Exception {
    Path script = peerScript();
    Process peer =
        new ProcessBuilder("python3", script.toString(), "partial", SERVER.socket().toString())
            .redirectErrorStream(true)
            .start();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8))) {
      assertEquals("ready", out.readLine());
      peer.destroyForcibly();
      assertTrue(peer.waitFor(10, TimeUnit.SECONDS));
    }
    assertServing(-1);
  }

  @Test
  void aPythonPeerReadsWhatThisClientWrote() throws Exception {
    Path script = peerScript();
    try (RawWireClient c = client()) {
      byte[] text = "hello from java".getBytes(StandardCharsets.UTF_8);
      Payload p = putBlob(c, text);
      long id = putObject(c, p.objectId(), text.length);
      ok(c.call(req("persist_request").put("id", id)), "persist_reply");
      ok(
          c.call(req("put_name_request").put("name", "java-wrote").put("object_id", id)),
          "put_name_reply");
      assertEquals("hello from java", runPeer(script, "read", "java-wrote"));
    }
  }

  @Test
  void rpcMovesBlobBytesInline() throws Exception {
    byte[] data = pattern(300_000, 5);
    try (RpcTestClient rpc = new RpcTestClient(SERVER.rpcPort())) {
      ok(rpc.call(req("register_request")), "register_reply");
      JsonNode first =
          ok(
              rpc.call(
                  req("create_remote_buffer_request")
                      .put("size", data.length)
                      .put("compress", false)),
              "create_buffer_reply");
      rpc.write(data);
      JsonNode second = ok(rpc.readReply(), "create_buffer_reply");
      assertEquals(first.get("id"), second.get("id"));
      JsonNode empty =
          ok(rpc.call(req("create_remote_buffer_request").put("size", 0)), "create_buffer_reply");
      ok(rpc.readReply(), "create_buffer_reply");
      ObjectNode get = req("get_remote_buffers_request").put("num", 2);
      get.set("0", second.get("id"));
      get.set("1", empty.get("id"));
      JsonNode got = ok(rpc.call(get), "get_buffers_reply");
      assertEquals(2, got.get("num").asInt());
      assertEquals(0, got.get("fds").size());
      assertArrayEquals(data, rpc.readExactly(data.length));
      ok(rpc.call(req("instance_status_request")), "instance_status_reply");
      error(rpc.call(req("create_buffer_request").put("size", 10)), 1, "IPC socket");

      byte[] a = pattern(1000, 1);
      byte[] b = pattern(70_000, 2);
      ObjectNode many = req("create_remote_buffers_request").put("num", 3);
      many.putArray("sizes").add(a.length).add(0).add(b.length);
      JsonNode made = ok(rpc.call(many), "create_buffers_reply");
      assertEquals(3, made.get("ids").size());
      rpc.write(a);
      rpc.write(b);
      assertEquals(made.get("ids"), ok(rpc.readReply(), "create_buffers_reply").get("ids"));
      ObjectNode fetch = req("get_remote_buffers_request").put("num", 3);
      for (int i = 0; i < 3; i++) {
        fetch.set(Integer.toString(2 - i), made.get("ids").get(i));
      }
      JsonNode fetched = ok(rpc.call(fetch), "get_buffers_reply");
      assertEquals(3, fetched.get("num").asInt());
      assertArrayEquals(b, rpc.readExactly(b.length)); // payload order, empty blob skipped
      assertArrayEquals(a, rpc.readExactly(a.length));
      ok(rpc.call(req("instance_status_request")), "instance_status_reply");
    }
    try (RawWireClient c = client()) {
      JsonNode st = ok(c.call(req("instance_status_request")), "instance_status_reply");
      assertTrue(st.get("meta").has("rpc_connections"));
    }
  }

  @Test
  void metricsExposeRequestsConnectionsAndMemory() throws Exception {
    try (RawWireClient c = client()) {
      ok(c.call(req("instance_status_request")), "instance_status_reply");
    }
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + SERVER.metricsPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    String body = r.body();
    assertTrue(
        body.contains("vineyard_requests_seconds_count{command=\"instance_status_request\""), body);
    assertTrue(body.contains("vineyard_memory_limit_bytes"), body);
    assertTrue(body.contains("vineyard_connections{transport=\"ipc\"}"), body);
  }

  // ---------------------------------------------------------------- helpers

  /** The server still registers new clients, round-trips, and still holds {@code survivor}. */
  private static void assertServing(long survivor) throws IOException {
    assertTrue(SERVER.process().isAlive(), "server alive");
    try (RawWireClient c = client()) {
      ok(c.call(req("instance_status_request")), "instance_status_reply");
      if (survivor != -1) {
        JsonNode data =
            c.call(
                req("get_data_request")
                    .set("id", RawWireClient.JSON.createArrayNode().add(survivor)));
        assertTrue(ok(data, "get_data_reply").get("content").has(ObjectIds.toText(survivor)));
      }
    }
  }

  static Path peerScript() throws IOException {
    Assumptions.assumeTrue(hasPython(), "python3 is not installed");
    Path script = Files.createTempFile("vineyard_peer", ".py");
    try (var in =
        VineyarddProcessIT.class.getResourceAsStream("/io/cellar/server/vineyard_peer.py")) {
      Files.write(script, in.readAllBytes());
    }
    script.toFile().deleteOnExit();
    return script;
  }

  private static boolean hasPython() {
    try {
      return new ProcessBuilder("python3", "-c", "import socket; socket.recv_fds").start().waitFor()
          == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static String runPeer(Path script, String... args) throws Exception {
    java.util.List<String> cmd =
        new java.util.ArrayList<>(
            java.util.List.of("python3", script.toString(), args[0], SERVER.socket().toString()));
    cmd.addAll(java.util.Arrays.asList(args).subList(1, args.length));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "peer finished");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertEquals(0, p.exitValue(), out);
    return out;
  }
}
