package io.cellar.client.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.client.Blob;
import io.cellar.client.ProtocolClient;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.UnsignedJson;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The metadata our builders make, compared field for field with what the real Python client
 * (vineyard 0.24.2) sent in {@code create_data_request}, recorded by {@code
 * it/src/test/python/tools/record_wire_vectors.sh} into {@code python-vectors/}.
 */
class PythonLayoutsTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  static ObjectNode vector(String name) throws IOException {
    try (InputStream in = PythonLayoutsTest.class.getResourceAsStream("/python-vectors/" + name)) {
      return (ObjectNode) MAPPER.readTree(in);
    }
  }

  /** Our tensor metadata for {@code tensor}, using the blob the Python run made. */
  private static ObjectNode ours(Tensor tensor, ObjectNode pythonContent) {
    ObjectNode pythonBlob = (ObjectNode) pythonContent.get("buffer_");
    ObjectNode blob =
        Blob.metadata(
            UnsignedJson.field(pythonBlob, "id"), pythonBlob.path("nbytes").asLong(), 0, false);
    return ProtocolClient.fillClientFields(PythonLayouts.tensor(tensor, blob), 0);
  }

  @Test
  void float64VectorMatchesPython() throws IOException {
    ObjectNode python = vector("create-data-tensor-float64.json");
    assertJson(python, ours(Tensor.of(new double[] {1.0, 2.0, 3.0}), python));
  }

  @Test
  void int32FortranArrayMatchesPython() throws IOException {
    ObjectNode python = vector("create-data-tensor-int32-fortran.json");
    // np.asfortranarray(np.arange(6).reshape(2, 3)): Python stores C-order bytes, order_ "F"
    Tensor t = Tensor.of(new int[] {0, 1, 2, 3, 4, 5}, 2, 3).withOrder('F');
    assertJson(python, ours(t, python));
  }

  @Test
  void zeroDimensionalInt16MatchesPython() throws IOException {
    ObjectNode python = vector("create-data-tensor-int16-0d.json");
    java.lang.foreign.MemorySegment seven =
        java.lang.foreign.MemorySegment.ofArray(new short[] {7});
    Tensor t = Tensor.of(TensorType.INT16, seven); // no dimensions: a 0-d array
    assertJson(python, ours(t, python));
  }

  @Test
  void emptyUint8ArrayUsesTheEmptyBlobAsPythonDoes() throws IOException {
    ObjectNode python = vector("create-data-tensor-uint8-empty.json");
    Tensor t = Tensor.of(TensorType.UINT8, java.lang.foreign.MemorySegment.ofArray(new byte[0]), 0);
    ObjectNode meta =
        ProtocolClient.fillClientFields(
            PythonLayouts.tensor(t, Blob.metadata(ObjectIds.EMPTY_BLOB, 0, 0, false)), 0);
    assertJson(python, meta);
  }

  @Test
  void boolArrayMatchesPython() throws IOException {
    ObjectNode python = vector("create-data-tensor-bool.json");
    assertJson(python, ours(Tensor.of(new boolean[] {true, false}), python));
  }

  @Test
  void indexMatchesPython() throws IOException {
    ObjectNode python = vector("create-data-index-int64.json");
    ObjectNode values = (ObjectNode) python.get("value_");
    ObjectNode ours =
        ProtocolClient.fillClientFields(PythonLayouts.index(null, values, TensorType.INT64), 0);
    assertJson(python, ours);
  }

  @Test
  void dataFrameMatchesPython() throws IOException {
    ObjectNode python = vector("create-data-dataframe.json");
    assertJson(python, twoColumnFrameLike(python, "a", "b"));
  }

  /** A two-column frame over the index and column members of Python's own frame. */
  private static ObjectNode twoColumnFrameLike(ObjectNode python, String first, String second) {
    return ProtocolClient.fillClientFields(
        PythonLayouts.dataFrame(
            List.of(first, second),
            (ObjectNode) python.get("index_"),
            List.of(
                (ObjectNode) python.get("__values_-value-0"),
                (ObjectNode) python.get("__values_-value-1"))),
        0);
  }

  private static ObjectNode blobLike(JsonNode pythonBlob) {
    return Blob.metadata(
        UnsignedJson.field(pythonBlob, "id"), pythonBlob.path("nbytes").asLong(), 0, false);
  }

  private static ObjectNode stringArrayLike(StringArray strings, ObjectNode python) {
    return ProtocolClient.fillClientFields(
        PythonLayouts.stringArray(
            strings,
            blobLike(python.get("buffer_offsets_")),
            blobLike(python.get("buffer_data_")),
            blobLike(python.get("null_bitmap_"))),
        0);
  }

  @Test
  void aStringArrayMatchesPythons() throws IOException {
    ObjectNode python = vector("create-data-string-array.json");
    assertJson(python, stringArrayLike(StringArray.of(List.of("x", "yy", "zzz")), python));
  }

  @Test
  void aStringArrayWithANullMatchesPythons() throws IOException {
    ObjectNode python = vector("create-data-string-array-with-null.json");
    java.util.List<String> values = java.util.Arrays.asList("x", null, "zzz");
    assertJson(python, stringArrayLike(StringArray.of(values), python));
  }

  @Test
  void aStringTensorMatchesPythons() throws IOException {
    ObjectNode python = vector("create-data-tensor-string-with-null.json");
    ObjectNode ours =
        ProtocolClient.fillClientFields(
            PythonLayouts.stringTensor(3, (ObjectNode) python.get("buffer_")), 0);
    assertJson(python, ours);
  }

  @Test
  void aFrameWithAStringColumnMatchesPythons() throws IOException {
    ObjectNode python = vector("create-data-dataframe-string-column.json");
    assertJson(python, twoColumnFrameLike(python, "s", "n"));
  }

  @Test
  void aRangeIndexIsStoredAsAnInt64IndexNamedNone() throws IOException {
    ObjectNode python = vector("create-data-index-range.json");
    ObjectNode ours =
        ProtocolClient.fillClientFields(
            PythonLayouts.index(null, (ObjectNode) python.get("value_"), TensorType.INT64), 0);
    assertJson(python, ours);
    assertEquals("[3]", python.get("value_").path("shape_").asText());
  }

  @Test
  void aCreatedBlobsMetadataMatchesWhatPythonNests() throws IOException {
    ObjectNode pythonBlob = (ObjectNode) vector("create-data-tensor-float64.json").get("buffer_");
    assertJson(pythonBlob, Blob.metadata(UnsignedJson.field(pythonBlob, "id"), 24, 0, false));
  }

  @Test
  void theBytesBlobMetadataMatchesWhatTheServerReturnsToPython() throws IOException {
    JsonNode content = vector("get-data-reply-bytes-blob.json").get("content");
    ObjectNode server = (ObjectNode) content.elements().next();
    assertJson(server, Blob.metadata(UnsignedJson.field(server, "id"), 14, 0, false));
  }

  @Test
  void pythonTensorMetadataResolvesToTheSameShapeOrderAndType() throws IOException {
    ObjectNode python = vector("create-data-tensor-int32-fortran.json");
    assertArrayEquals(new long[] {2, 3}, PythonLayouts.shapeOf(python));
    assertEquals('F', PythonLayouts.orderOf(python));
    assertEquals(
        TensorType.INT32,
        TensorType.fromMetadata(
            python.path("value_type_").asText(), python.path("value_type_meta_").asText()));
    assertEquals(
        List.of("a", "b"), PythonLayouts.columnNamesOf(vector("create-data-dataframe.json")));
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
