package io.cellar.server.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.Store;
import io.cellar.core.config.StoreConfig;
import io.cellar.protocol.ObjectIds;
import io.cellar.server.ServerConfig;
import io.cellar.server.VineyardServer;
import io.cellar.server.testing.RawWireClient;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code release_request}, {@code is_in_use_request} and the requests that take references, over
 * the wire, answered as the reference vineyardd 0.24.2 answers them (each expectation was checked
 * against it): a connection's entry holds every id it referenced, known or not, until released;
 * release answers KeyError (2) when the entry is empty, ObjectNotExists (12) for an id outside it;
 * is_in_use is false only for a sealed blob nobody references.
 */
class BlobReferenceRepliesTest {
  private static final BigInteger EMPTY =
      new BigInteger(Long.toUnsignedString(ObjectIds.EMPTY_BLOB));
  private static final BigInteger UNKNOWN = new BigInteger("9223372036854787654");

  @TempDir Path dir;
  private Store store;
  private VineyardServer server;
  private RawWireClient a;
  private RawWireClient b;

  @BeforeEach
  void start() throws IOException {
    Path socket = dir.resolve("refs.sock");
    store = Store.open(StoreConfig.ofLimit(16L << 20));
    server = VineyardServer.start(ServerConfig.ipcOnly(socket.toString()), store);
    a = RawWireClient.connect(socket);
    b = RawWireClient.connect(socket);
  }

  @AfterEach
  void stop() throws Exception {
    a.close();
    b.close();
    server.close();
    store.close(); // a leak check: fails when a blob is still held
  }

  private static ObjectNode req(String type) {
    return RawWireClient.request(type);
  }

  private static BigInteger create(RawWireClient c) throws IOException {
    JsonNode reply = c.call(req("create_buffer_request").put("size", 64));
    assertEquals("create_buffer_reply", reply.path("type").asText(), reply::toString);
    return reply.get("id").bigIntegerValue();
  }

  private static void ok(RawWireClient c, ObjectNode request, String replyType) throws IOException {
    JsonNode reply = c.call(request);
    assertEquals(replyType, reply.path("type").asText(), () -> request + " -> " + reply);
  }

  private static int release(RawWireClient c, BigInteger id) throws IOException {
    JsonNode reply = c.call(req("release_request").put("object_id", id));
    if (reply.has("code")) {
      return reply.get("code").asInt();
    }
    assertEquals("release_reply", reply.path("type").asText(), reply::toString);
    return 0;
  }

  private static boolean inUse(RawWireClient c, BigInteger id) throws IOException {
    JsonNode reply = c.call(req("is_in_use_request").put("id", id));
    assertEquals("is_in_use_reply", reply.path("type").asText(), reply::toString);
    return reply.get("is_in_use").asBoolean();
  }

  private static ObjectNode ids(String type, String field, BigInteger... ids) {
    ObjectNode q = req(type);
    var array = q.putArray(field);
    for (BigInteger id : ids) {
      array.add(id);
    }
    return q;
  }

  @Test
  void releaseAnswersKeyErrorWhenTheEntryIsEmptyAgain() throws IOException {
    BigInteger x = create(a);
    assertEquals(2, release(a, x), "creating takes no reference");
    ok(a, req("seal_request").put("object_id", x), "seal_reply");
    assertEquals(0, release(a, x));
    assertEquals(2, release(a, x), "the entry went with its last id");
  }

  @Test
  void idsThatNameNoBlobAreReleasedOnce() throws IOException {
    BigInteger x = create(a);
    ok(a, req("seal_request").put("object_id", x), "seal_reply");
    ok(b, ids("get_buffers_request", "ids", UNKNOWN).put("unsafe", false), "get_buffers_reply");
    assertEquals(12, release(b, x), "B's entry holds the unknown id only");
    assertEquals(0, release(b, UNKNOWN));
    assertEquals(2, release(b, UNKNOWN));

    ok(
        b,
        ids("increase_reference_count_request", "ids", UNKNOWN),
        "increase_reference_count_reply");
    assertEquals(0, release(b, UNKNOWN));
    ok(
        b,
        ids("increase_reference_count_request", "ids", BigInteger.valueOf(777)),
        "increase_reference_count_reply");
    assertEquals(0, release(b, BigInteger.valueOf(777)), "an object id is recorded as well");

    ok(b, req("seal_request").put("object_id", EMPTY), "seal_reply");
    assertEquals(0, release(b, EMPTY));
    assertEquals(2, release(b, EMPTY), "sealing the empty blob records it once");
    ok(b, ids("get_buffers_request", "ids", EMPTY).put("unsafe", false), "get_buffers_reply");
    assertEquals(0, release(b, EMPTY));
  }

  @Test
  void aBlobDeletedByItsHolderStaysInItsEntry() throws IOException {
    BigInteger x = create(a);
    ok(a, req("seal_request").put("object_id", x), "seal_reply");
    ObjectNode delete =
        ids("del_data_request", "id", x)
            .put("force", false)
            .put("deep", false)
            .put("fastpath", true)
            .put("memory_trim", false);
    ok(a, delete, "del_data_reply");
    assertEquals(0, store.status().memoryUsage(), "the deleter's reference holds no memory");
    assertEquals(0, release(a, x));
    assertEquals(2, release(a, x));
  }

  @Test
  void onlyASealedBlobNobodyReferencesIsNotInUse() throws IOException {
    assertTrue(inUse(a, UNKNOWN), "an unknown id");
    assertTrue(inUse(a, BigInteger.valueOf(777)), "an object id");
    assertTrue(inUse(a, EMPTY));
    BigInteger x = create(a);
    assertTrue(inUse(a, x), "unsealed");
    ok(a, req("seal_request").put("object_id", x), "seal_reply");
    assertTrue(inUse(a, x), "its sealer references it");
    assertEquals(0, release(a, x));
    assertFalse(inUse(a, x), "cold");
    ok(b, ids("increase_reference_count_request", "ids", x), "increase_reference_count_reply");
    assertTrue(inUse(a, x), "referenced again");
    ok(a, req("drop_buffer_request").put("id", x), "drop_buffer_reply");
    assertTrue(inUse(a, x), "dropped");
    assertEquals(0, release(b, x), "B still held it");
    assertTrue(inUse(a, x));
  }
}
