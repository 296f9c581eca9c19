package io.cellar.client.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The metadata trees the Python client's builders make ({@code python/vineyard/data/tensor.py},
 * {@code index.py}, {@code dataframe.py}), field for field, before the client adds its common
 * fields ({@code instance_id}, {@code transient}, {@code global}; see {@link
 * io.cellar.client.ProtocolClient#fillClientFields}). Members are the nested metadata of objects
 * already created.
 *
 * <p>Stateless and thread-safe.
 */
public final class PythonLayouts {
  /** The typename of a data frame. */
  public static final String DATA_FRAME = "vineyard::DataFrame";

  /** The typename of a pandas index. */
  public static final String INDEX = "vineyard::Index";

  /** The typename prefix of tensors. */
  public static final String TENSOR_PREFIX = "vineyard::Tensor<";

  /** The typename of a blob. */
  public static final String BLOB = "vineyard::Blob";

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private PythonLayouts() {}

  /**
   * {@code numpy_ndarray_builder}'s metadata for a numeric array.
   *
   * @param tensor the array (its type, shape and order flag)
   * @param buffer the metadata of the blob holding its bytes
   * @return a new tree
   */
  public static ObjectNode tensor(Tensor tensor, ObjectNode buffer) {
    ObjectNode meta = JSON.objectNode();
    meta.put("shape_", PythonJson.dumps(tensor.shape()));
    meta.put("partition_index_", PythonJson.dumps(List.of()));
    meta.put("nbytes", tensor.segment().byteSize());
    meta.put("order_", PythonJson.dumps(String.valueOf(tensor.order())));
    meta.put("typename", tensor.type().tensorTypename());
    meta.put("value_type_", tensor.type().numpyName());
    meta.put("value_type_meta_", tensor.type().dtypeString());
    meta.set("buffer_", buffer);
    return meta;
  }

  /** The typename of an Arrow large-string array. */
  public static final String LARGE_STRING_ARRAY =
      "vineyard::BaseBinaryArray<arrow::LargeStringArray>";

  /** The typename of a tensor of strings. */
  public static final String STRING_TENSOR = "vineyard::Tensor<std::string>";

  /**
   * {@code string_array_builder}'s metadata ({@code python/vineyard/data/arrow.py}).
   *
   * @param array the strings (length, offset, null count, Arrow's nbytes)
   * @param offsets the metadata of the blob holding the int64 offsets
   * @param data the metadata of the blob holding the UTF-8 bytes
   * @param nullBitmap the metadata of the validity blob (the empty blob when there are no nulls)
   * @return a new tree
   */
  public static ObjectNode stringArray(
      StringArray array, ObjectNode offsets, ObjectNode data, ObjectNode nullBitmap) {
    ObjectNode meta = JSON.objectNode();
    meta.put("typename", LARGE_STRING_ARRAY);
    meta.put("length_", array.length());
    meta.put("null_count_", array.nullCount());
    meta.put("offset_", array.offset());
    meta.set("buffer_offsets_", offsets);
    meta.set("buffer_data_", data);
    meta.set("null_bitmap_", nullBitmap);
    meta.put("nbytes", array.arrowNbytes());
    return meta;
  }

  /**
   * {@code numpy_ndarray_builder}'s metadata for a 1-d object array of strings: a {@code
   * vineyard::Tensor<std::string>} over a created string array; {@code nbytes} is numpy's (8 per
   * element, the object pointers).
   *
   * @param length the number of elements
   * @param array the created string array (its metadata)
   * @return a new tree
   */
  public static ObjectNode stringTensor(long length, ObjectNode array) {
    ObjectNode meta = JSON.objectNode();
    meta.put("shape_", PythonJson.dumps(new long[] {length}));
    meta.put("partition_index_", PythonJson.dumps(List.of()));
    meta.put("nbytes", 8 * length);
    meta.put("order_", PythonJson.dumps("C"));
    meta.put("typename", STRING_TENSOR);
    meta.put("value_type_", "string");
    meta.put("value_type_meta_", "str");
    meta.set("buffer_", array);
    return meta;
  }

  /**
   * {@code pandas_index_builder}'s metadata.
   *
   * @param name the index's name, or null for {@code None}
   * @param values the created tensor of index values (its metadata)
   * @param valueType the values' type
   * @return a new tree
   */
  public static ObjectNode index(String name, ObjectNode values, TensorType valueType) {
    ObjectNode meta = JSON.objectNode();
    meta.put("typename", INDEX);
    meta.put("name", PythonJson.dumps(name));
    meta.put("value_type_", valueType.numpyName());
    meta.set("value_", values);
    return meta;
  }

  /**
   * {@code pandas_dataframe_builder}'s metadata.
   *
   * @param columnNames the column names in order
   * @param index the created index (its metadata)
   * @param columns the created column tensors (their metadata), in order
   * @return a new tree
   */
  public static ObjectNode dataFrame(
      List<String> columnNames, ObjectNode index, List<ObjectNode> columns) {
    if (columnNames.size() != columns.size()) {
      throw new IllegalArgumentException(
          columnNames.size() + " names for " + columns.size() + " columns");
    }
    ObjectNode meta = JSON.objectNode();
    meta.put("typename", DATA_FRAME);
    meta.put("columns_", PythonJson.dumps(columnNames));
    meta.set("index_", index);
    for (int i = 0; i < columns.size(); i++) {
      meta.put("__values_-key-" + i, PythonJson.dumps(columnNames.get(i)));
      meta.set("__values_-value-" + i, columns.get(i));
    }
    meta.put("nbytes", 0);
    meta.put("__values_-size", columns.size());
    meta.put("partition_index_row_", -1);
    meta.put("partition_index_column_", -1);
    meta.put("row_batch_index_", 0);
    return meta;
  }

  /**
   * The shape recorded in a tensor's metadata.
   *
   * @param meta the tensor's metadata
   * @return the dimensions
   */
  public static long[] shapeOf(JsonNode meta) {
    JsonNode shape = PythonJson.loads(meta.path("shape_").asText("[]"));
    long[] dims = new long[shape.size()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = shape.get(i).asLong();
    }
    return dims;
  }

  /**
   * The order flag recorded in a tensor's metadata ({@code 'C'} when absent, as Python reads it).
   *
   * @param meta the tensor's metadata
   * @return {@code 'C'} or {@code 'F'}
   */
  public static char orderOf(JsonNode meta) {
    if (!meta.has("order_")) {
      return 'C';
    }
    String order = PythonJson.loads(meta.path("order_").asText()).asText("C");
    return order.equals("F") ? 'F' : 'C';
  }

  /**
   * The column names of a data frame's metadata, from {@code columns_}; non-string names become
   * their JSON text.
   *
   * @param meta the frame's metadata
   * @return the names in order
   */
  public static List<String> columnNamesOf(JsonNode meta) {
    List<String> names = new ArrayList<>();
    for (JsonNode name : PythonJson.loads(meta.path("columns_").asText("[]"))) {
      names.add(name.isTextual() ? name.textValue() : name.toString());
    }
    return names;
  }
}
