package io.cellar.client.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.client.Blob;
import io.cellar.client.BlobWriter;
import io.cellar.client.VineyardClient;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.StatusCode;
import io.cellar.protocol.UnsignedJson;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Puts Java values into a store and gets them back, in exactly the objects the Python client makes
 * and reads: {@code byte[]} as a blob (Python's {@code put(bytes)}), {@link Tensor} and primitive
 * arrays as {@code vineyard::Tensor<T>}, {@link DataFrame} as {@code vineyard::DataFrame} with a
 * {@code vineyard::Index}. So a value put here is read by Python's {@code client.get} as the numpy
 * array or pandas frame, and the reverse.
 *
 * <p>Stateless and thread-safe (as thread-safe as the client given). Values read back are views of
 * shared memory (IPC) valid while their client is open.
 */
public final class Values {
  private Values() {}

  /**
   * Puts a value, choosing the layout by its Java type.
   *
   * @param client the client
   * @param value a {@code byte[]}, {@link Tensor}, {@link DataFrame}, or a {@code short[]}, {@code
   *     int[]}, {@code long[]}, {@code float[]}, {@code double[]}, {@code boolean[]} (1-d tensor)
   * @return the new object's id (for {@code byte[]}, the blob's id, as Python returns)
   * @throws IOException when the connection fails
   * @throws IllegalArgumentException for a type with no layout
   */
  public static long put(VineyardClient client, Object value) throws IOException {
    return switch (value) {
      case byte[] bytes -> client.putBytes(bytes).id();
      case Tensor tensor -> putTensor(client, tensor).id();
      case DataFrame frame -> putDataFrame(client, frame).id();
      case StringArray strings -> putStrings(client, strings).id();
      case short[] a -> putTensor(client, Tensor.of(a)).id();
      case int[] a -> putTensor(client, Tensor.of(a)).id();
      case long[] a -> putTensor(client, Tensor.of(a)).id();
      case float[] a -> putTensor(client, Tensor.of(a)).id();
      case double[] a -> putTensor(client, Tensor.of(a)).id();
      case boolean[] a -> putTensor(client, Tensor.of(a)).id();
      default ->
          throw new IllegalArgumentException(
              "no vineyard layout for " + value.getClass().getName());
    };
  }

  /**
   * Gets an object as the Java value of its typename: a {@link Blob}, {@link Tensor} or {@link
   * DataFrame}; any other typename gives its metadata tree ({@link ObjectNode}).
   *
   * @param client the client
   * @param id the object id
   * @return the value
   * @throws IOException when the connection fails
   */
  public static Object get(VineyardClient client, long id) throws IOException {
    if (ObjectIds.isBlob(id)) {
      return client.getBlob(id);
    }
    ObjectNode meta = client.getData(id);
    String typename = meta.path("typename").asText("");
    if (typename.equals(PythonLayouts.STRING_TENSOR)) {
      return stringsOf(meta, blobsOf(client, meta));
    }
    if (typename.startsWith(PythonLayouts.TENSOR_PREFIX)) {
      return tensorOf(meta, blobsOf(client, meta));
    }
    if (typename.equals(PythonLayouts.DATA_FRAME)) {
      return dataFrameOf(meta, blobsOf(client, meta));
    }
    return meta;
  }

  /**
   * Puts a tensor: its bytes go into one new blob (one copy, straight into shared memory on IPC),
   * then its metadata is created.
   *
   * @param client the client
   * @param tensor the value
   * @return the stored tensor: a view of the blob, with its metadata (and id)
   * @throws IOException when the connection fails
   */
  public static Tensor putTensor(VineyardClient client, Tensor tensor) throws IOException {
    MemorySegment bytes = tensor.segment();
    Blob blob;
    try (BlobWriter writer = client.createBlob(bytes.byteSize())) {
      MemorySegment.copy(bytes, 0, writer.segment(), 0, bytes.byteSize());
      blob = writer.seal();
    }
    ObjectNode meta = PythonLayouts.tensor(tensor, blob.metadata());
    client.createData(meta);
    return new Tensor(tensor.type(), tensor.shape(), tensor.order(), blob.segment(), meta);
  }

  /**
   * Puts strings as Python puts a numpy array of strings: the Arrow buffers go into blobs (the
   * validity bitmap first, the empty blob when there are no nulls, then offsets, then data), then
   * the {@code vineyard::BaseBinaryArray<arrow::LargeStringArray>} and the {@code
   * vineyard::Tensor<std::string>} over it are created.
   *
   * @param client the client
   * @param strings the values
   * @return the stored column: views of the blobs, with the tensor's metadata (and id)
   * @throws IOException when the connection fails
   */
  public static StringArray putStrings(VineyardClient client, StringArray strings)
      throws IOException {
    Blob validity = copyIntoBlob(client, strings.validitySegment());
    Blob offsets = copyIntoBlob(client, strings.offsetsSegment());
    Blob data = copyIntoBlob(client, strings.dataSegment());
    ObjectNode array =
        PythonLayouts.stringArray(
            strings, offsets.metadata(), data.metadata(), validity.metadata());
    client.createData(array);
    ObjectNode tensor = PythonLayouts.stringTensor(strings.length(), array);
    client.createData(tensor);
    return new StringArray(
        strings.length(),
        strings.offset(),
        strings.nullCount(),
        offsets.segment(),
        data.segment(),
        validity.segment(),
        tensor);
  }

  private static Blob copyIntoBlob(VineyardClient client, MemorySegment bytes) throws IOException {
    try (BlobWriter writer = client.createBlob(bytes.byteSize())) {
      MemorySegment.copy(bytes, 0, writer.segment(), 0, bytes.byteSize());
      return writer.seal();
    }
  }

  /**
   * Starts a tensor to be written in place (zero extra copies: fill its segment, then seal).
   *
   * @param client the client
   * @param type the element type
   * @param order {@code 'C'} or {@code 'F'} (the flag Python records; bytes are C order)
   * @param shape the dimensions (none for a 0-d scalar)
   * @return the writer, owned by the caller
   * @throws IOException when the connection fails
   */
  public static TensorWriter createTensor(
      VineyardClient client, TensorType type, char order, long... shape) throws IOException {
    long elements = 1;
    for (long d : shape) {
      elements = Math.multiplyExact(elements, d);
    }
    BlobWriter blob = client.createBlob(Math.multiplyExact(elements, type.elementSize()));
    return new TensorWriter(client, type, shape, order, blob);
  }

  /**
   * Gets a tensor.
   *
   * @param client the client
   * @param id the tensor's id
   * @return a view of its blob
   * @throws IOException when the connection fails
   * @throws CellarException {@code ObjectTypeError} when the object is not a tensor
   */
  public static Tensor getTensor(VineyardClient client, long id) throws IOException {
    ObjectNode meta = client.getData(id);
    requireTypename(meta, PythonLayouts.TENSOR_PREFIX, true);
    return tensorOf(meta, blobsOf(client, meta));
  }

  /**
   * Puts a data frame as Python does: the index first, then each column as a tensor, then the
   * frame.
   *
   * @param client the client
   * @param frame the value
   * @return the stored frame: views of the blobs, with its metadata (and id)
   * @throws IOException when the connection fails
   */
  public static DataFrame putDataFrame(VineyardClient client, DataFrame frame) throws IOException {
    Tensor indexValues = putTensor(client, frame.index());
    ObjectNode index =
        PythonLayouts.index(frame.indexName(), indexValues.metadata(), indexValues.type());
    client.createData(index);
    Map<String, Column> stored = new LinkedHashMap<>();
    List<ObjectNode> columnMetas = new ArrayList<>();
    for (Map.Entry<String, Column> column : frame.columns().entrySet()) {
      Column c =
          switch (column.getValue()) {
            case Tensor t -> putTensor(client, t);
            case StringArray a -> putStrings(client, a);
          };
      stored.put(column.getKey(), c);
      columnMetas.add(c.metadata());
    }
    ObjectNode meta = PythonLayouts.dataFrame(frame.columnNames(), index, columnMetas);
    client.createData(meta);
    return new DataFrame(stored, indexValues, frame.indexName(), meta);
  }

  /**
   * Gets a data frame.
   *
   * @param client the client
   * @param id the frame's id
   * @return views of its blobs
   * @throws IOException when the connection fails
   * @throws CellarException {@code ObjectTypeError} when the object is not a data frame
   */
  public static DataFrame getDataFrame(VineyardClient client, long id) throws IOException {
    ObjectNode meta = client.getData(id);
    requireTypename(meta, PythonLayouts.DATA_FRAME, false);
    return dataFrameOf(meta, blobsOf(client, meta));
  }

  private static void requireTypename(JsonNode meta, String expected, boolean prefix) {
    String typename = meta.path("typename").asText("");
    if (prefix ? !typename.startsWith(expected) : !typename.equals(expected)) {
      throw new CellarException(
          StatusCode.OBJECT_TYPE_ERROR,
          "object "
              + meta.path("id").asText()
              + " is a "
              + typename
              + ", not a "
              + expected
              + (prefix ? "...>" : ""));
    }
  }

  /** Fetches every blob member of a tree in one request. */
  private static Map<Long, Blob> blobsOf(VineyardClient client, JsonNode meta) throws IOException {
    Set<Long> ids = new LinkedHashSet<>();
    collectBlobIds(meta, ids);
    Map<Long, Blob> blobs = new LinkedHashMap<>(client.getBlobs(ids));
    for (long id : ids) {
      if (!blobs.containsKey(id)) {
        throw CellarException.notExists("blob " + ObjectIds.toText(id) + " does not exist");
      }
    }
    return blobs;
  }

  private static void collectBlobIds(JsonNode meta, Set<Long> ids) {
    if (PythonLayouts.BLOB.equals(meta.path("typename").asText())) {
      ids.add(UnsignedJson.field(meta, "id"));
      return;
    }
    for (Map.Entry<String, JsonNode> field : meta.properties()) {
      if (field.getValue().isObject() && field.getValue().has("typename")) {
        collectBlobIds(field.getValue(), ids);
      }
    }
  }

  /**
   * Resolves a tensor's metadata against its fetched blob, as {@code numpy_ndarray_resolver} does.
   *
   * @param meta the tensor's metadata
   * @param blobs blobs by id, including its {@code buffer_}
   * @return the tensor view
   */
  static Tensor tensorOf(ObjectNode meta, Map<Long, Blob> blobs) {
    TensorType type =
        TensorType.fromMetadata(
            meta.path("value_type_").asText(null), meta.path("value_type_meta_").asText(null));
    long[] shape = PythonLayouts.shapeOf(meta);
    Blob buffer = blobs.get(UnsignedJson.field(meta.path("buffer_"), "id"));
    return new Tensor(type, shape, PythonLayouts.orderOf(meta), buffer.segment(), meta);
  }

  /**
   * Resolves a {@code vineyard::Tensor<std::string>} over an Arrow large-string array.
   *
   * @param meta the tensor's metadata
   * @param blobs blobs by id, including the array's buffers
   * @return the strings, views of the blobs
   */
  static StringArray stringsOf(ObjectNode meta, Map<Long, Blob> blobs) {
    JsonNode array = meta.path("buffer_");
    if (!PythonLayouts.LARGE_STRING_ARRAY.equals(array.path("typename").asText())) {
      throw new CellarException(
          StatusCode.OBJECT_TYPE_ERROR,
          "a string tensor over " + array.path("typename").asText() + " is not supported");
    }
    return new StringArray(
        array.path("length_").asLong(),
        array.path("offset_").asLong(),
        array.path("null_count_").asLong(),
        blobs.get(UnsignedJson.field(array.path("buffer_offsets_"), "id")).segment(),
        blobs.get(UnsignedJson.field(array.path("buffer_data_"), "id")).segment(),
        blobs.get(UnsignedJson.field(array.path("null_bitmap_"), "id")).segment(),
        meta);
  }

  static DataFrame dataFrameOf(ObjectNode meta, Map<Long, Blob> blobs) {
    List<String> names = PythonLayouts.columnNamesOf(meta);
    Map<String, Column> columns = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      JsonNode key = PythonJson.loads(meta.path("__values_-key-" + i).asText("null"));
      String name = key.isTextual() ? key.textValue() : key.toString();
      ObjectNode column = (ObjectNode) meta.get("__values_-value-" + i);
      columns.put(
          name,
          PythonLayouts.STRING_TENSOR.equals(column.path("typename").asText())
              ? stringsOf(column, blobs)
              : tensorOf(column, blobs));
    }
    Tensor index = null;
    String indexName = null;
    JsonNode indexMeta = meta.get("index_");
    if (indexMeta instanceof ObjectNode im && im.get("value_") instanceof ObjectNode values) {
      index = tensorOf(values, blobs);
      JsonNode name = PythonJson.loads(im.path("name").asText("null"));
      indexName = name.isNull() ? null : name.isTextual() ? name.textValue() : name.toString();
    }
    return new DataFrame(columns, index, indexName, meta);
  }
}
