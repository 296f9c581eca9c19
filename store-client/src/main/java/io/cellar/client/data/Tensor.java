package io.cellar.client.data;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.UnsignedJson;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An n-dimensional array in {@code vineyard::Tensor<T>} form: an element type, a shape, the order
 * flag Python records ({@code 'C'} or {@code 'F'}), and the elements as little-endian bytes in <b>C
 * (row-major) order</b> (Python always stores C-contiguous bytes, whatever {@code order_} says;
 * {@code 'F'} only asks the reader for a Fortran-ordered array).
 *
 * <p>A tensor made with the {@code of(...)} factories holds a copy of the given values; one read
 * from a store is a read-only view of the blob (no copy), valid as long as its client is open, and
 * knows its object id and metadata. Immutable and thread-safe.
 */
public final class Tensor implements Column {
  private static final ValueLayout.OfShort SHORT =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt INT =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong LONG =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfDouble DOUBLE =
      ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final TensorType type;
  private final long[] shape;
  private final char order;
  private final MemorySegment bytes;
  private final ObjectNode metadata;

  /**
   * A tensor over existing bytes.
   *
   * @param type the element type
   * @param shape the shape (empty for a 0-d scalar)
   * @param order {@code 'C'} or {@code 'F'}, recorded as {@code order_}
   * @param bytes the elements, little-endian, C order; exactly {@code product(shape) * elementSize}
   *     bytes
   * @param metadata the stored object's metadata, or null for a value not stored yet
   */
  public Tensor(
      TensorType type, long[] shape, char order, MemorySegment bytes, ObjectNode metadata) {
    if (order != 'C' && order != 'F') {
      throw new IllegalArgumentException("order must be 'C' or 'F', got " + order);
    }
    long expected = elementCount(shape) * type.elementSize();
    if (bytes.byteSize() < expected) {
      throw new IllegalArgumentException(
          "a "
              + type.numpyName()
              + " tensor of shape "
              + Arrays.toString(shape)
              + " needs "
              + expected
              + " bytes, got "
              + bytes.byteSize());
    }
    this.type = type;
    this.shape = shape.clone();
    this.order = order;
    this.bytes = bytes.asSlice(0, expected).asReadOnly();
    this.metadata = metadata;
  }

  private static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  private static long[] shapeOr(long[] shape, int length) {
    return shape.length == 0 ? new long[] {length} : shape;
  }

  /**
   * An {@code int8} tensor holding a copy of {@code values}.
   *
   * @param values the elements in C order
   * @param shape the shape; none means 1-d of {@code values.length}
   * @return the tensor
   */
  public static Tensor of(byte[] values, long... shape) {
    return new Tensor(
        TensorType.INT8,
        shapeOr(shape, values.length),
        'C',
        copy(MemorySegment.ofArray(values)),
        null);
  }

  /**
   * An {@code int16} tensor holding a copy of {@code values}.
   *
   * @param values the elements in C order
   * @param shape the shape; none means 1-d of {@code values.length}
   * @return the tensor
   */
  public static Tensor of(short[] values, long... shape) {
    return copyOf(TensorType.INT16, values, values.length, SHORT, shape);
  }

  /**
   * An {@code int32} tensor holding a copy of {@code values}.
   *
   * @param values the elements in C order
   * @param shape the shape; none means 1-d of {@code values.length}
   * @return the tensor
   */
  public static Tensor of(int[] values, long... shape) {
    return copyOf(TensorType.INT32, values, values.length, INT, shape);
  }

  /**
   * An {@code int64} tensor holding a copy of {@code values}.
   *
   * @param values the elements in C order
   * @param shape the shape; none means 1-d of {@code values.length}
   * @return the tensor
   */
  public static Tensor of(long[] values, long... shape) {
    return copyOf(TensorType.INT64, values, values.length, LONG, shape);
  }

  /**
   * A {@code float32} tensor holding a copy of {@code values}.
   *
   * @param values the elements in C order
   * @param shape the shape; none means 1-d of {@code values.length}
   * @return the tensor
   */
  public static Tensor of(float[] values, long... shape) {
    return copyOf(TensorType.FLOAT32, values, values.length, FLOAT, shape);
  }

  /**
   * A {@code float64} tensor holding a copy of {@code values}.
   *
   * @param values the elements in C order
   * @param shape the shape; none means 1-d of {@code values.length}
   * @return the tensor
   */
  public static Tensor of(double[] values, long... shape) {
    return copyOf(TensorType.FLOAT64, values, values.length, DOUBLE, shape);
  }

  /**
   * A {@code bool} tensor holding a copy of {@code values} (one byte each).
   *
   * @param values the elements in C order
   * @param shape the shape; none means 1-d of {@code values.length}
   * @return the tensor
   */
  public static Tensor of(boolean[] values, long... shape) {
    MemorySegment s = java.lang.foreign.Arena.ofAuto().allocate(Math.max(1, values.length), 8);
    for (int i = 0; i < values.length; i++) {
      s.set(ValueLayout.JAVA_BYTE, i, (byte) (values[i] ? 1 : 0));
    }
    return new Tensor(TensorType.BOOL, shapeOr(shape, values.length), 'C', s, null);
  }

  /**
   * A tensor of any type over a copy of raw little-endian C-order bytes.
   *
   * @param type the element type (use this for the unsigned types)
   * @param bytes the elements
   * @param shape the shape
   * @return the tensor
   */
  public static Tensor of(TensorType type, MemorySegment bytes, long... shape) {
    return new Tensor(type, shape, 'C', copy(bytes), null);
  }

  /** A tensor over a copy of a primitive array, written little-endian with {@code layout}. */
  private static Tensor copyOf(
      TensorType type, Object values, int length, ValueLayout layout, long[] shape) {
    MemorySegment s = java.lang.foreign.Arena.ofAuto().allocate(layout.byteSize() * length, 8);
    MemorySegment.copy(values, 0, s, layout, 0, length);
    return new Tensor(type, shapeOr(shape, length), 'C', s, null);
  }

  private static MemorySegment copy(MemorySegment source) {
    MemorySegment s = java.lang.foreign.Arena.ofAuto().allocate(Math.max(1, source.byteSize()), 8);
    MemorySegment.copy(source, 0, s, 0, source.byteSize());
    return s.asSlice(0, source.byteSize());
  }

  /**
   * The same elements with another order flag (Python records {@code 'F'} for Fortran-ordered
   * arrays; the bytes stay in C order).
   *
   * @param newOrder {@code 'C'} or {@code 'F'}
   * @return a tensor sharing these bytes
   */
  public Tensor withOrder(char newOrder) {
    return new Tensor(type, shape, newOrder, bytes, metadata);
  }

  /**
   * The element type.
   *
   * @return the type
   */
  public TensorType type() {
    return type;
  }

  /**
   * The shape.
   *
   * @return a copy of the dimensions (empty for a 0-d scalar)
   */
  public long[] shape() {
    return shape.clone();
  }

  /**
   * The order flag.
   *
   * @return {@code 'C'} or {@code 'F'}
   */
  public char order() {
    return order;
  }

  /**
   * The length of the first dimension (1 for a 0-d scalar).
   *
   * @return the number of rows
   */
  @Override
  public long length() {
    return shape.length == 0 ? 1 : shape[0];
  }

  /**
   * The number of elements.
   *
   * @return the product of the shape (1 for a 0-d scalar)
   */
  public long size() {
    return elementCount(shape);
  }

  /**
   * The elements' bytes: little-endian, C order, read-only. For a stored tensor, a view of the blob
   * in shared memory.
   *
   * @return the segment
   */
  public MemorySegment segment() {
    return bytes;
  }

  @Override
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
      throw new IllegalStateException("the tensor is not stored");
    }
    return UnsignedJson.field(metadata, "id");
  }

  /**
   * Element {@code i} (C order) as a {@code long}: integers sign- or zero-extended, booleans 0/1,
   * floats truncated.
   *
   * @param i the flat index
   * @return the value
   */
  public long getLong(long i) {
    long at = i * type.elementSize();
    return switch (type) {
      case INT8, BOOL -> bytes.get(ValueLayout.JAVA_BYTE, at);
      case UINT8 -> bytes.get(ValueLayout.JAVA_BYTE, at) & 0xFFL;
      case INT16 -> bytes.get(SHORT, at);
      case UINT16 -> bytes.get(SHORT, at) & 0xFFFFL;
      case INT32 -> bytes.get(INT, at);
      case UINT32 -> bytes.get(INT, at) & 0xFFFFFFFFL;
      case INT64, UINT64 -> bytes.get(LONG, at);
      case FLOAT32 -> (long) bytes.get(FLOAT, at);
      case FLOAT64 -> (long) bytes.get(DOUBLE, at);
    };
  }

  /**
   * Element {@code i} (C order) as a {@code double}.
   *
   * @param i the flat index
   * @return the value
   */
  public double getDouble(long i) {
    long at = i * type.elementSize();
    return switch (type) {
      case FLOAT32 -> bytes.get(FLOAT, at);
      case FLOAT64 -> bytes.get(DOUBLE, at);
      case UINT64 -> Double.parseDouble(Long.toUnsignedString(bytes.get(LONG, at)));
      default -> getLong(i);
    };
  }

  /**
   * A copy of the elements as doubles, C order.
   *
   * @return a new array
   */
  public double[] toDoubleArray() {
    double[] out = new double[Math.toIntExact(size())];
    for (int i = 0; i < out.length; i++) {
      out[i] = getDouble(i);
    }
    return out;
  }

  /**
   * A copy of the elements as longs, C order.
   *
   * @return a new array
   */
  public long[] toLongArray() {
    long[] out = new long[Math.toIntExact(size())];
    for (int i = 0; i < out.length; i++) {
      out[i] = getLong(i);
    }
    return out;
  }

  @Override
  public String toString() {
    return "Tensor["
        + type.numpyName()
        + Arrays.toString(shape)
        + (metadata == null ? "" : " " + ObjectIds.toText(id()))
        + "]";
  }
}
