package io.cellar.client.data;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.UnsignedJson;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A column of strings as the Python client stores string and object arrays: {@code
 * vineyard::Tensor<std::string>} whose {@code buffer_} is an Arrow large-string array ({@code
 * vineyard::BaseBinaryArray<arrow::LargeStringArray>}): {@code length + 1} little-endian int64
 * offsets into UTF-8 data, and an Arrow validity bitmap (bit {@code i}, least significant first,
 * set when element {@code i} is not null; no bitmap means no nulls), with Arrow's slice offset.
 *
 * <p>One made with {@link #of} holds copies; one read from a store is a view of its blobs, valid
 * while its client is open. Immutable and thread-safe.
 */
public final class StringArray implements Column {
  private static final ValueLayout.OfLong LONG =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final long length;
  private final long offset;
  private final long nullCount;
  private final MemorySegment offsets;
  private final MemorySegment data;
  private final MemorySegment validity;
  private final ObjectNode metadata;

  /**
   * A string array over Arrow buffers.
   *
   * @param length the number of elements
   * @param offset Arrow's slice offset into the buffers
   * @param nullCount the number of nulls
   * @param offsets at least {@code offset + length + 1} int64 offsets
   * @param data the UTF-8 bytes
   * @param validity the validity bitmap, or an empty segment for "no nulls"
   * @param metadata the stored tensor's metadata, or null for a value not stored yet
   */
  public StringArray(
      long length,
      long offset,
      long nullCount,
      MemorySegment offsets,
      MemorySegment data,
      MemorySegment validity,
      ObjectNode metadata) {
    if (offsets.byteSize() < 8 * (offset + length + 1)) {
      throw new IllegalArgumentException(
          "a string array of " + length + " needs " + (offset + length + 1) + " offsets");
    }
    this.length = length;
    this.offset = offset;
    this.nullCount = nullCount;
    this.offsets = offsets.asReadOnly();
    this.data = data.asReadOnly();
    this.validity = validity.asReadOnly();
    this.metadata = metadata;
  }

  /**
   * A string array holding copies of {@code values}; null elements are nulls.
   *
   * @param values the strings
   * @return the array
   */
  public static StringArray of(List<String> values) {
    int n = values.size();
    List<byte[]> encoded = new ArrayList<>(n);
    long total = 0;
    long nulls = 0;
    for (String v : values) {
      byte[] bytes = v == null ? new byte[0] : v.getBytes(StandardCharsets.UTF_8);
      encoded.add(bytes);
      total += bytes.length;
      nulls += v == null ? 1 : 0;
    }
    Arena arena = Arena.ofAuto();
    MemorySegment offsets = arena.allocate(8L * (n + 1), 8);
    MemorySegment data = arena.allocate(Math.max(1, total), 8).asSlice(0, total);
    MemorySegment validity =
        nulls == 0 ? MemorySegment.ofArray(new byte[0]) : arena.allocate((n + 7) / 8, 8);
    long at = 0;
    for (int i = 0; i < n; i++) {
      offsets.set(LONG, 8L * i, at);
      byte[] bytes = encoded.get(i);
      MemorySegment.copy(MemorySegment.ofArray(bytes), 0, data, at, bytes.length);
      at += bytes.length;
      if (nulls > 0 && values.get(i) != null) {
        byte b = validity.get(ValueLayout.JAVA_BYTE, i / 8);
        validity.set(ValueLayout.JAVA_BYTE, i / 8, (byte) (b | (1 << (i % 8))));
      }
    }
    offsets.set(LONG, 8L * n, at);
    return new StringArray(n, 0, nulls, offsets, data, validity, null);
  }

  @Override
  public long length() {
    return length;
  }

  /**
   * Arrow's slice offset.
   *
   * @return the offset of element 0 in the buffers
   */
  public long offset() {
    return offset;
  }

  /**
   * The number of nulls.
   *
   * @return the null count
   */
  public long nullCount() {
    return nullCount;
  }

  /**
   * Whether element {@code i} is null.
   *
   * @param i the index
   * @return true for a null
   */
  public boolean isNull(long i) {
    if (validity.byteSize() == 0) {
      return false;
    }
    long bit = offset + i;
    return (validity.get(ValueLayout.JAVA_BYTE, bit / 8) & (1 << (bit % 8))) == 0;
  }

  /**
   * Element {@code i}, decoded from UTF-8.
   *
   * @param i the index, 0 to {@code length() - 1}
   * @return the string, or null
   */
  public String get(long i) {
    if (i < 0 || i >= length) {
      throw new IndexOutOfBoundsException(i);
    }
    if (isNull(i)) {
      return null;
    }
    long start = offsets.get(LONG, 8 * (offset + i));
    long end = offsets.get(LONG, 8 * (offset + i + 1));
    return new String(
        data.asSlice(start, end - start).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
  }

  /**
   * All elements.
   *
   * @return an unmodifiable list (nulls included)
   */
  public List<String> toList() {
    List<String> out = new ArrayList<>(Math.toIntExact(length));
    for (long i = 0; i < length; i++) {
      out.add(get(i));
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * The offsets buffer.
   *
   * @return little-endian int64 offsets
   */
  public MemorySegment offsetsSegment() {
    return offsets;
  }

  /**
   * The UTF-8 data buffer.
   *
   * @return the bytes
   */
  public MemorySegment dataSegment() {
    return data;
  }

  /**
   * The validity bitmap.
   *
   * @return the bitmap, empty when there are no nulls
   */
  public MemorySegment validitySegment() {
    return validity;
  }

  /**
   * What Arrow's {@code Array.nbytes} reports for this array, which Python stores as {@code
   * nbytes}: the bitmap's bytes (when there are nulls), 8 bytes per element of offsets, and the
   * data.
   *
   * @return the byte count
   */
  public long arrowNbytes() {
    long bitmap = validity.byteSize() == 0 ? 0 : (length + 7) / 8;
    long start = offsets.get(LONG, 8 * offset);
    long end = offsets.get(LONG, 8 * (offset + length));
    return bitmap + 8 * length + (end - start);
  }

  @Override
  public ObjectNode metadata() {
    return metadata;
  }

  /**
   * The stored tensor's id.
   *
   * @return the id
   * @throws IllegalStateException for a value not stored yet
   */
  public long id() {
    if (metadata == null) {
      throw new IllegalStateException("the string array is not stored");
    }
    return UnsignedJson.field(metadata, "id");
  }

  @Override
  public String toString() {
    return "StringArray[" + length + "]";
  }
}
