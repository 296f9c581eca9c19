package io.cellar.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.UnsignedJson;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Our requests against the ones the real Python client (vineyard 0.24.2) sent. */
class RequestsTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static ObjectNode vector(String name) throws IOException {
    try (InputStream in = RequestsTest.class.getResourceAsStream("/python-vectors/" + name)) {
      return (ObjectNode) MAPPER.readTree(in);
    }
  }

  @Test
  void registerIsExactlyPythons() throws IOException {
    ObjectNode python = vector("register-request.json");
    assertJson(python, Requests.register());
  }

  @Test
  void blobRequestsMatchPython() throws IOException {
    ObjectNode create = vector("create-buffer-request.json");
    assertJson(create, Requests.createBuffer(create.path("size").asLong()));
    ObjectNode seal = vector("seal-request.json");
    assertJson(seal, Requests.seal(UnsignedJson.field(seal, "object_id")));
    ObjectNode get = vector("get-buffers-request.json");
    assertJson(
        get,
        Requests.getBuffers("get_buffers_request", List.of(UnsignedJson.field(get, "0")), false));
  }

  @Test
  void getDataMatchesPython() throws IOException {
    ObjectNode get = vector("get-data-request.json");
    long id = UnsignedJson.read(get.path("id").get(0), "id");
    assertJson(get, Requests.getData(List.of(id), true, false));
  }

  @Test
  void blobIdsAreWrittenUnsigned() {
    ObjectNode seal = Requests.seal(0xe888bfee49400010L);
    assertEquals("{\"type\":\"seal_request\",\"object_id\":16755853443783983120}", seal.toString());
  }

  /** Compares as JSON values: field order and Jackson's integer node classes do not matter. */
  private static void assertJson(com.fasterxml.jackson.databind.JsonNode expected, Object actual) {
    try {
      assertEquals(
          new ObjectMapper().readTree(expected.toString()),
          new ObjectMapper().readTree(actual.toString()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }
}
