package io.cellar.client.data;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.UnsignedJson;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A table in {@code vineyard::DataFrame} form, as pandas frames are stored by the Python client:
 * named one-dimensional columns of equal length, each a {@link Tensor} or a {@link StringArray},
 * and an index (a tensor with an optional name). Without an explicit index, the frame gets pandas'
 * default {@code RangeIndex} stored as Python stores it (an {@code int64} index 0..n-1 named {@code
 * None}).
 *
 * <p>Column names are strings here; a frame written by Python with non-string column names reads
 * back with each name as its JSON text. Immutable and thread-safe.
 */
public final class DataFrame {
  private final Map<String, Column> columns;
  private final Tensor index;
  private final String indexName;
  private final ObjectNode metadata;

  /**
   * A frame.
   *
   * @param columns the columns in order (copied)
   * @param index the index values, or null for the default range index
   * @param indexName the index's name, or null (pandas' {@code None})
   * @param metadata the stored object's metadata, or null for a value not stored yet
   */
  public DataFrame(
      Map<String, ? extends Column> columns, Tensor index, String indexName, ObjectNode metadata) {
    long rows = -1;
    for (Map.Entry<String, ? extends Column> column : columns.entrySet()) {
      if (column.getValue() instanceof Tensor t && t.shape().length != 1) {
        throw new IllegalArgumentException("column '" + column.getKey() + "' is not 1-d");
      }
      long length = column.getValue().length();
      if (rows >= 0 && length != rows) {
        throw new IllegalArgumentException(
            "column '" + column.getKey() + "' has " + length + " rows, expected " + rows);
      }
      rows = length;
    }
    if (index != null && rows >= 0 && index.size() != rows) {
      throw new IllegalArgumentException(
          "the index has " + index.size() + " rows, expected " + rows);
    }
    this.columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
    this.index = index;
    this.indexName = indexName;
    this.metadata = metadata;
  }

  /**
   * A frame with the default range index.
   *
   * @param columns the columns in order
   * @return the frame
   */
  public static DataFrame of(Map<String, ? extends Column> columns) {
    return new DataFrame(columns, null, null, null);
  }

  /**
   * The columns in order.
   *
   * @return an unmodifiable map from name to values
   */
  public Map<String, Column> columns() {
    return columns;
  }

  /**
   * The column names in order.
   *
   * @return the names
   */
  public List<String> columnNames() {
    return List.copyOf(columns.keySet());
  }

  /**
   * A numeric column.
   *
   * @param name the column name
   * @return its values
   * @throws IllegalArgumentException when there is no such column or it holds strings (see {@link
   *     #strings})
   */
  public Tensor column(String name) {
    Column c = columns.get(name);
    if (c == null) {
      throw new IllegalArgumentException("no column '" + name + "' in " + columns.keySet());
    }
    if (c instanceof Tensor t) {
      return t;
    }
    throw new IllegalArgumentException("column '" + name + "' holds strings; use strings()");
  }

  /**
   * A string column.
   *
   * @param name the column name
   * @return its values
   * @throws IllegalArgumentException when there is no such column or it is numeric
   */
  public StringArray strings(String name) {
    Column c = columns.get(name);
    if (c instanceof StringArray a) {
      return a;
    }
    throw new IllegalArgumentException(
        c == null
            ? "no column '" + name + "' in " + columns.keySet()
            : "column '" + name + "' is numeric");
  }

  /**
   * The number of rows.
   *
   * @return the length of the columns (or of the index when there are none)
   */
  public long rows() {
    if (!columns.isEmpty()) {
      return columns.values().iterator().next().length();
    }
    return index == null ? 0 : index.size();
  }

  /**
   * The index values.
   *
   * @return the index tensor; for a frame built without one, {@code int64} values 0..rows-1
   */
  public Tensor index() {
    if (index != null) {
      return index;
    }
    long[] range = new long[Math.toIntExact(rows())];
    for (int i = 0; i < range.length; i++) {
      range[i] = i;
    }
    return Tensor.of(range);
  }

  /**
   * The index's name.
   *
   * @return the name, or null
   */
  public String indexName() {
    return indexName;
  }

  /**
   * The stored object's metadata.
   *
   * @return the tree, or null for a value not stored yet
   */
  public ObjectNode metadata() {
    return metadata;
  }

  /**
   * The stored object's id.
   *
   * @return the id
   * @throws IllegalStateException for a value not stored yet
   */
  public long id() {
    if (metadata == null) {
      throw new IllegalStateException("the frame is not stored");
    }
    return UnsignedJson.field(metadata, "id");
  }

  @Override
  public String toString() {
    return "DataFrame[" + rows() + " rows, columns " + columns.keySet() + "]";
  }
}
