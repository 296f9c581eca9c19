package io.cellar.server.process;

import static io.cellar.server.process.Wire.ok;
import static io.cellar.server.process.Wire.putBlob;
import static io.cellar.server.process.Wire.putObject;
import static io.cellar.server.process.Wire.req;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellar.protocol.Payload;
import io.cellar.protocol.PayloadJson;
import io.cellar.protocol.UnsignedJson;
import io.cellar.server.testing.RawWireClient;
import io.cellar.testing.daemon.VineyarddExtension;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Blob bytes across processes and connections (issue §3, server side): byte-exact round trips at
 * the edge sizes, a blob past 2 GiB, several clients at once, names across clients, and a writer
 * killed with {@code kill -9} mid-write whose unsealed blob is reclaimed.
 */
class BlobRoundTripIT {
  @RegisterExtension static final VineyarddExtension SERVER = TestDaemons.server("3G");

  private static RawWireClient client() throws IOException {
    return RawWireClient.connect(SERVER.socket());
  }

  private static void fill(MemorySegment s, long seed) {
    long n = s.byteSize();
    long i = 0;
    for (; i + 8 <= n; i += 8) {
      s.set(ValueLayout.JAVA_LONG_UNALIGNED, i, mix(seed + i));
    }
    for (; i < n; i++) {
      s.set(ValueLayout.JAVA_BYTE, i, (byte) mix(seed + i));
    }
  }

  private static long mix(long x) {
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    return x ^ (x >>> 29);
  }

  private static Payload get(RawWireClient c, long blobId) throws IOException {
    JsonNode got =
        ok(
            c.call(req("get_buffers_request").put("num", 1).set("0", UnsignedJson.node(blobId))),
            "get_buffers_reply");
    assertEquals(1, got.get("num").asInt());
    return PayloadJson.read(got.get("payloads").get(0));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 63, 64, 4096, 1 << 20, 256 << 20})
  void bytesRoundTripExactlyAcrossConnections(int size) throws Exception {
    try (RawWireClient writer = client();
        RawWireClient reader = client()) {
      JsonNode created =
          ok(writer.call(req("create_buffer_request").put("size", size)), "create_buffer_reply");
      Payload p = PayloadJson.read(created.get("created"));
      assertEquals(size, p.dataSize());
      MemorySegment w = size == 0 ? MemorySegment.NULL : writer.blob(p);
      if (size > 0) {
        fill(w, size);
      }
      if (size > 0) { // the empty blob is never sealed by clients: it is made locally
        ok(writer.call(req("seal_request").set("object_id", created.get("id"))), "seal_reply");
      }
      Payload q = get(reader, p.objectId());
      assertEquals(size, q.dataSize());
      if (size > 0) {
        MemorySegment r = reader.blob(q);
        assertEquals(-1L, r.mismatch(w), "byte-exact through the reader's own mapping");
        assertTrue(
            r.address() - reader.mappingBase(q) == q.dataOffset(),
            "the reader's view lies inside its mapping of the arena, at data_offset (no copy)");
      }
    }
  }

  @Test
  void aBlobPast2GiBIsAddressableEverywhere() throws Exception {
    long size = (2L << 30) + 4096 + 3;
    try (RawWireClient writer = client();
        RawWireClient reader = client()) {
      JsonNode created =
          ok(writer.call(req("create_buffer_request").put("size", size)), "create_buffer_reply");
      Payload p = PayloadJson.read(created.get("created"));
      MemorySegment w = writer.blob(p);
      // touch sampled pages only (lean on these machines): every 64 MiB, and the last bytes
      List<Long> spots = new ArrayList<>();
      for (long off = 0; off < size - 8; off += 64L << 20) {
        spots.add(off);
      }
      spots.add(size - 8);
      for (long off : spots) {
        w.set(ValueLayout.JAVA_LONG_UNALIGNED, off, mix(off));
      }
      ok(writer.call(req("seal_request").set("object_id", created.get("id"))), "seal_reply");
      Payload q = get(reader, p.objectId());
      assertEquals(size, q.dataSize());
      MemorySegment r = reader.blob(q);
      for (long off : spots) {
        assertEquals(mix(off), r.get(ValueLayout.JAVA_LONG_UNALIGNED, off), "offset " + off);
      }
      ok(writer.call(req("drop_buffer_request").set("id", created.get("id"))), "drop_buffer_reply");
    }
  }

  @Test
  void severalClientsAtOnce() throws Exception {
    int clients = 4;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < clients; t++) {
        int seed = t;
        results.add(
            pool.submit(
                () -> {
                  int done = 0;
                  try (RawWireClient c = client();
                      RawWireClient other = client()) {
                    for (int i = 0; i < 40; i++) {
                      byte[] data = new byte[1000 + seed * 100 + i];
                      java.util.Arrays.fill(data, (byte) (seed * 40 + i));
                      Payload p = putBlob(c, data);
                      long id = putObject(c, p.objectId(), data.length);
                      JsonNode meta =
                          other.call(
                              req("get_data_request")
                                  .set("id", RawWireClient.JSON.createArrayNode().add(id)));
                      assertEquals(1, ok(meta, "get_data_reply").get("content").size());
                      assertArrayEquals(
                          data,
                          other.blob(get(other, p.objectId())).toArray(ValueLayout.JAVA_BYTE));
                      done++;
                    }
                  }
                  return done;
                }));
      }
      for (Future<Integer> f : results) {
        assertEquals(40, f.get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void namesAreSharedAcrossClients() throws Exception {
    try (RawWireClient a = client();
        RawWireClient b = client()) {
      byte[] data = "named bytes".getBytes(StandardCharsets.UTF_8);
      Payload p = putBlob(a, data);
      long id = putObject(a, p.objectId(), data.length);
      ok(a.call(req("persist_request").put("id", id)), "persist_reply");
      ok(
          a.call(req("put_name_request").put("name", "shared").put("object_id", id)),
          "put_name_reply");
      JsonNode named =
          ok(
              b.call(req("get_name_request").put("name", "shared").put("wait", false)),
              "get_name_reply");
      assertEquals(id, named.get("object_id").asLong());
      JsonNode listed =
          ok(
              b.call(req("list_name_request").put("pattern", "sha*").put("limit", 10)),
              "list_name_reply");
      assertEquals(id, listed.get("names").get("shared").asLong());
      assertArrayEquals(data, b.blob(get(b, p.objectId())).toArray(ValueLayout.JAVA_BYTE));
      ok(b.call(req("drop_name_request").put("name", "shared")), "drop_name_reply");
      Wire.error(a.call(req("get_name_request").put("name", "shared").put("wait", false)), 12, "");
    }
  }

  @Test
  void aWriterKilledMidWriteHasItsUnsealedBlobReclaimed() throws Exception {
    Path script = VineyarddProcessIT.peerScript();
    long size = 8 << 20;
    try (RawWireClient observer = client()) {
      long before = usage(observer);
      Process writer =
          new ProcessBuilder(
                  "python3",
                  script.toString(),
                  "hang",
                  SERVER.socket().toString(),
                  Long.toString(size))
              .redirectErrorStream(true)
              .start();
      String blobId;
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
        blobId = out.readLine();
        assertTrue(
            blobId != null && blobId.matches("\\d+"), "the writer reports its blob: " + blobId);
        assertTrue(usage(observer) >= before + size, "the unsealed blob holds memory");
        writer.destroyForcibly(); // kill -9
        assertTrue(writer.waitFor(10, TimeUnit.SECONDS));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      boolean exists = true;
      while (exists && System.nanoTime() < deadline) {
        exists =
            ok(
                    observer.call(
                        req("exists_request")
                            .set(
                                "id",
                                RawWireClient.JSON
                                    .getNodeFactory()
                                    .numberNode(new java.math.BigInteger(blobId)))),
                    "exists_reply")
                .get("exists")
                .asBoolean();
      }
      assertFalse(exists, "the killed writer's unsealed blob is reclaimed");
      assertTrue(usage(observer) < before + size, "and its memory is free again");
    }
  }

  private static long usage(RawWireClient c) throws IOException {
    return ok(c.call(req("instance_status_request")), "instance_status_reply")
        .get("meta")
        .get("memory_usage")
        .asLong();
  }
}
