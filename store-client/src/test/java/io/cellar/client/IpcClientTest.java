package io.cellar.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.client.testing.FakeVineyardd;
import io.cellar.client.testing.FakeVineyardd.Misbehaviour;
import io.cellar.client.transport.UnixDomainSocket;
import io.cellar.posix.SocketCalls;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectCreated;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.StatusCode;
import io.cellar.protocol.UnsignedJson;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The IPC client against an in-process fake server on a socketpair. */
@Timeout(30)
@SuppressWarnings("try")
class IpcClientTest {
  private static final long ARENA = 1 << 20;

  private record Pair(IpcClient client, FakeVineyardd server) {}

  private static Pair start(Misbehaviour misbehaviour) throws Throwable {
    int[] fds = SocketCalls.socketPair();
    FakeVineyardd server = new FakeVineyardd(fds[1], ARENA, misbehaviour);
    IpcClient client = IpcClient.over(UnixDomainSocket.adopt(fds[0], Path.of("test")));
    return new Pair(client, server);
  }

  private static long openFds() throws IOException {
    try (var s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    }
  }

  @Test
  void registersWithAllSixFieldsLikeTheCppClient() throws Throwable {
    Pair p = start(Misbehaviour.NONE);
    p.client().close();
    p.server().close(); // waits until the fake has read everything
    ObjectNode register = p.server().requests().get(0);
    assertEquals(
        "{\"type\":\"register_request\",\"version\":\"0.24.2\",\"store_type\":1,"
            + "\"session_id\":0,\"username\":\"\",\"password\":\"\"}",
        register.toString());
    assertEquals("exit_request", p.server().requests().get(1).path("type").asText());
    assertNull(p.server().failure());
  }

  @Test
  void aCreatedBlobIsWrittenInPlaceAndReadBackWithoutACopy() throws Throwable {
    Pair p = start(Misbehaviour.NONE);
    try (FakeVineyardd server = p.server();
        IpcClient client = p.client()) {
      byte[] hello = "hello, arena".getBytes(StandardCharsets.UTF_8);
      Blob sealed;
      try (BlobWriter writer = client.createBlob(hello.length)) {
        MemorySegment.copy(MemorySegment.ofArray(hello), 0, writer.segment(), 0, hello.length);
        sealed = writer.seal();
      }
      // the server sees the bytes in its own mapping of the arena: the write was the only copy
      long offset =
          p.server().requests().stream()
              .filter(r -> r.path("type").asText().equals("seal_request"))
              .count();
      assertEquals(1, offset);
      Blob read = client.getBlob(sealed.id());
      assertArrayEquals(hello, read.segment().toArray(ValueLayout.JAVA_BYTE));
      assertTrue(read.segment().isReadOnly());
      assertTrue(client.isInsideMapping(read.segment()));
      assertEquals(1, client.arenas().size(), "one arena, received once");
      assertEquals(ARENA - 8, client.arenas().get(0).length());
      byte[] viaAgrona = new byte[hello.length];
      read.buffer().getBytes(0, viaAgrona);
      assertArrayEquals(hello, viaAgrona);
    }
  }

  @Test
  void sealAndCreateDataSealsEveryBlobThenCreatesTheObject() throws Throwable {
    Pair p = start(Misbehaviour.NONE);
    try (FakeVineyardd server = p.server();
        IpcClient client = p.client()) {
      BlobWriter first = client.createBlob(3);
      BlobWriter second = client.createBlob(5);
      first.segment().fill((byte) 1);
      second.segment().fill((byte) 2);
      ObjectNode[] sent = new ObjectNode[1];
      ObjectCreated created =
          client.sealAndCreateData(
              List.of(first, second),
              blobs -> {
                ObjectNode meta = client.channel.mapper().createObjectNode();
                meta.put("typename", "test::Pair");
                meta.set("first", blobs.get(0).metadata());
                meta.set("second", blobs.get(1).metadata());
                sent[0] = meta;
                return meta;
              });
      first.close(); // sealed: closing abandons nothing
      second.close();
      List<String> types = server.requests().stream().map(r -> r.path("type").asText()).toList();
      assertEquals(
          List.of(
              "register_request",
              "create_buffer_request",
              "create_buffer_request",
              "seal_request",
              "seal_request",
              "create_data_request",
              "create_buffer_request"), // the next blob of the last one's size, made ahead
          types);
      assertEquals(0x1000, created.id());
      assertEquals(ObjectIds.toText(0x1000), sent[0].path("id").asText());
      assertEquals(true, sent[0].path("transient").asBoolean());
      assertEquals(
          first.seal().id(), ObjectIds.parseText(sent[0].path("first").path("id").asText()));
      assertArrayEquals(
          new byte[] {2, 2, 2, 2, 2},
          client.getBlob(second.seal().id()).segment().toArray(ValueLayout.JAVA_BYTE));
    }
    assertNull(p.server().failure());
  }

  /** Puts an object of one blob of {@code size} bytes through {@code sealAndCreateData}. */
  private static long putSmall(IpcClient client, long size) throws IOException {
    try (BlobWriter writer = client.createBlob(size)) {
      writer.segment().fill((byte) 7);
      return client
          .sealAndCreateData(
              List.of(writer),
              blobs ->
                  client
                      .channel
                      .mapper()
                      .createObjectNode()
                      .put("typename", "test::Small")
                      .set("buffer_", blobs.get(0).metadata()))
          .id();
    }
  }

  private static List<String> types(FakeVineyardd server, int from) {
    List<ObjectNode> all = server.requests();
    return all.subList(from, all.size()).stream().map(r -> r.path("type").asText()).toList();
  }

  @Test
  void aSmallPutMakesItsSuccessorAheadSoTheNextCreateSendsNothing() throws Throwable {
    Pair p = start(Misbehaviour.NONE);
    try (FakeVineyardd server = p.server();
        IpcClient client = p.client()) {
      putSmall(client, 100);
      assertEquals(
          List.of(
              "create_buffer_request",
              "seal_request",
              "create_data_request",
              "create_buffer_request"),
          types(server, 1));
      int sent = server.requests().size();
      try (BlobWriter next = client.createBlob(100)) {
        assertEquals(sent, server.requests().size(), "the blob made ahead needs no request");
        assertEquals(ObjectIds.BLOB_BIT | 2, ((IpcBlobWriter) next).id(), "the second blob made");
        assertEquals(100, next.segment().byteSize());
        next.segment().fill((byte) 9);
        Blob sealed = next.seal();
        assertEquals(List.of("seal_request", "create_buffer_request"), types(server, sent));
        assertArrayEquals(
            new byte[] {9, 9, 9},
            client.getBlob(sealed.id()).segment().asSlice(0, 3).toArray(ValueLayout.JAVA_BYTE));
      }
    }
    assertNull(p.server().failure());
  }

  @Test
  void closingDropsTheBlobMadeAheadBeforeItsExit() throws Throwable {
    Pair p = start(Misbehaviour.NONE);
    putSmall(p.client(), 100);
    int sent = p.server().requests().size();
    p.client().close();
    p.server().close(); // waits until the fake has read everything
    // the reference vineyardd keeps a gone client's unsealed blobs: the client drops its own
    assertEquals(List.of("drop_buffer_request", "exit_request"), types(p.server(), sent));
    assertEquals(ObjectIds.BLOB_BIT | 2, UnsignedJson.field(p.server().requests().get(sent), "id"));
    assertNull(p.server().failure());
  }

  @Test
  void anotherSizeDropsTheBlobMadeAheadInTheSameRoundTrip() throws Throwable {
    Pair p = start(Misbehaviour.NONE);
    try (FakeVineyardd server = p.server();
        IpcClient client = p.client()) {
      putSmall(client, 100);
      int sent = server.requests().size();
      try (BlobWriter other = client.createBlob(200)) {
        assertEquals(List.of("drop_buffer_request", "create_buffer_request"), types(server, sent));
        assertEquals(
            ObjectIds.BLOB_BIT | 2,
            UnsignedJson.field(server.requests().get(sent), "id"),
            "the blob made ahead is the one dropped");
        assertEquals(200, other.segment().byteSize());
        assertEquals(ObjectIds.BLOB_BIT | 3, ((IpcBlobWriter) other).id());
      }
    }
    assertNull(p.server().failure());
  }

  @Test
  void aBlobLargerThanTheLimitMakesNothingAhead() throws Throwable {
    Pair p = start(Misbehaviour.NONE);
    try (FakeVineyardd server = p.server();
        IpcClient client = p.client()) {
      putSmall(client, IpcClient.AHEAD_MAX_BYTES + 1);
      assertEquals(
          List.of("create_buffer_request", "seal_request", "create_data_request"),
          types(server, 1));
    }
    assertNull(p.server().failure());
  }

  @Test
  void aRefusedBlobAheadDoesNotFailThePutAndTheNextCreateAsksItself() throws Throwable {
    Pair p = start(Misbehaviour.NONE);
    long small = 60 << 10;
    try (FakeVineyardd server = p.server();
        IpcClient client = p.client()) {
      // fill the arena so that one small blob fits after the large one, but not a second
      long large = ARENA - 64 - small - 128;
      try (BlobWriter filler = client.createBlob(large)) {
        filler.seal();
      }
      long id = putSmall(client, small); // its blob ahead finds no room: an error reply
      assertEquals(0x1000, id, "the put itself succeeded");
      int sent = server.requests().size();
      assertEquals("create_buffer_request", server.requests().get(sent - 1).path("type").asText());
      CellarException e = assertThrows(CellarException.class, () -> client.createBlob(small));
      assertEquals(StatusCode.NOT_ENOUGH_MEMORY, e.status());
      assertEquals(List.of("create_buffer_request"), types(server, sent), "asked itself");
    }
    assertNull(p.server().failure());
  }

  @Test
  void aFailedSealIsThrownOnceEveryReplyIsRead() throws Throwable {
    Pair p = start(Misbehaviour.NONE);
    try (FakeVineyardd server = p.server();
        IpcClient client = p.client()) {
      BlobWriter gone = client.createBlob(4);
      BlobWriter kept = client.createBlob(4);
      server.forget(((IpcBlobWriter) gone).id());
      CellarException e =
          assertThrows(
              CellarException.class,
              () ->
                  client.sealAndCreateData(
                      List.of(gone, kept),
                      blobs -> client.channel.mapper().createObjectNode().put("typename", "t")));
      assertEquals(StatusCode.OBJECT_NOT_EXISTS, e.status());
      // every reply was read: the connection is in step and the other blob was sealed
      Blob read = client.getBlob(kept.seal().id());
      assertEquals(4, read.size());
      assertEquals(
          1,
          server.requests().stream()
              .filter(r -> r.path("type").asText().equals("create_data_request"))
              .count());
    }
    assertNull(p.server().failure());
  }

  @Test
  void theArenaFdIsReceivedOnceAcrossCreatesAndGets() throws Throwable {
    Pair p = start(Misbehaviour.NONE);
    try (FakeVineyardd server = p.server();
        IpcClient client = p.client()) {
      long before = openFds();
      for (int i = 0; i < 5; i++) {
        client.putBytes(new byte[] {(byte) i});
      }
      long other = p.server().addSealedBlob(new byte[] {9, 8, 7});
      assertArrayEquals(
          new byte[] {9, 8, 7}, client.getBlob(other).segment().toArray(ValueLayout.JAVA_BYTE));
      assertEquals(before + 1, openFds(), "exactly one fd received for the one arena");
    }
    assertNull(p.server().failure());
  }

  @Test
  void aReaderThatNeverCreatedGetsTheFdWithItsFirstGet() throws Throwable {
    Pair p = start(Misbehaviour.NONE);
    try (FakeVineyardd server = p.server();
        IpcClient client = p.client()) {
      long a = p.server().addSealedBlob("first".getBytes(StandardCharsets.UTF_8));
      long b = p.server().addSealedBlob("second".getBytes(StandardCharsets.UTF_8));
      Map<Long, Blob> blobs = client.getBlobs(List.of(a, b, a));
      assertEquals(2, blobs.size());
      assertEquals(
          "second",
          new String(
              blobs.get(b).segment().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
      assertTrue(client.arenas().get(0).readWriteMapping() == null, "reads map read-only");
    }
  }

  @Test
  void aMissingBlobIsObjectNotExists() throws Throwable {
    Pair p = start(Misbehaviour.NONE);
    try (FakeVineyardd server = p.server();
        IpcClient client = p.client()) {
      CellarException e =
          assertThrows(CellarException.class, () -> client.getBlob(ObjectIds.BLOB_BIT | 999));
      assertEquals(StatusCode.OBJECT_NOT_EXISTS, e.status());
    }
  }

  @Test
  void zeroBytesGiveTheEmptyBlobWithoutAServerCall() throws Throwable {
    Pair p = start(Misbehaviour.NONE);
    try (FakeVineyardd server = p.server();
        IpcClient client = p.client()) {
      Blob empty = client.putBytes(new byte[0]);
      assertEquals(ObjectIds.EMPTY_BLOB, empty.id());
      assertEquals(1, p.server().requests().size(), "only register_request was sent");
    }
  }

  @Test
  void aWrongAnnouncementIsDetected() throws Throwable {
    Pair p = start(Misbehaviour.WRONG_ANNOUNCEMENT);
    try (FakeVineyardd server = p.server();
        IpcClient client = p.client()) {
      IOException e = assertThrows(IOException.class, () -> client.createBlob(10));
      assertTrue(e.getMessage().contains("announced"), e.getMessage());
    }
  }

  @Test
  void twoFdsInOneMessageAreRefusedAndClosed() throws Throwable {
    Pair p = start(Misbehaviour.TWO_FDS_IN_ONE_MESSAGE);
    try (FakeVineyardd server = p.server();
        IpcClient client = p.client()) {
      long before = openFds();
      IOException e = assertThrows(IOException.class, () -> client.createBlob(10));
      assertTrue(e.getMessage().contains("exactly one"), e.getMessage());
      assertEquals(before, openFds(), "both received fds were closed");
    }
  }

  @Test
  void errorRepliesCarryTheServersCode() throws Throwable {
    Pair p = start(Misbehaviour.NONE);
    try (FakeVineyardd server = p.server();
        IpcClient client = p.client()) {
      CellarException e = assertThrows(CellarException.class, () -> client.persist(5));
      assertEquals(StatusCode.INVALID, e.status());
      assertTrue(e.getMessage().contains("persist_request"));
      // the connection is still usable afterwards
      assertEquals(ObjectIds.EMPTY_BLOB, client.createBlob(0).seal().id());
      assertFalse(client.putBytes(new byte[] {1}).segment().byteSize() == 0);
    }
  }

  @Test
  void closingUnmapsTheArenaAndClosesItsFd() throws Throwable {
    Pair p = start(Misbehaviour.NONE);
    try (FakeVineyardd server = p.server()) {
      long before = openFds();
      Blob blob = p.client().putBytes(new byte[] {1, 2, 3});
      assertEquals(before + 1, openFds(), "the arena fd was received");
      p.client().close();
      assertEquals(before - 1, openFds(), "the arena fd and the client's socket are closed");
      assertThrows(IllegalStateException.class, () -> blob.segment().get(ValueLayout.JAVA_BYTE, 0));
      assertThrows(IOException.class, () -> p.client().putBytes(new byte[] {1}));
    }
  }

  @Test
  void closeFromAnotherThreadEndsARequestThatWaitsForever() throws Throwable {
    Pair p = start(Misbehaviour.NONE);
    try (FakeVineyardd server = p.server()) {
      IpcClient client = p.client();
      java.util.concurrent.CompletableFuture<Long> waiting =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  return client.getName("never", true);
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      io.cellar.client.testing.Polling.until(
          "the fake to receive get_name",
          () ->
              server.requests().stream()
                  .anyMatch(r -> r.path("type").asText().equals("get_name_request")));
      client.close();
      java.util.concurrent.ExecutionException failed =
          assertThrows(
              java.util.concurrent.ExecutionException.class,
              () -> waiting.get(10, java.util.concurrent.TimeUnit.SECONDS));
      assertTrue(failed.getCause() instanceof java.io.UncheckedIOException, failed.toString());
      assertTrue(client.isClosed());
    }
  }
}
