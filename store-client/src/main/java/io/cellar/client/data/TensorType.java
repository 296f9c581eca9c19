package io.cellar.client.data;

import java.util.Locale;

/**
 * The element types of {@code vineyard::Tensor<T>} as the Python client names them: the numpy dtype
 * name (stored as {@code value_type_}), the C++ name from Python's {@code normalize_cpptype} (in
 * the typename), and numpy's dtype string (stored as {@code value_type_meta_}, little-endian).
 *
 * <p>Immutable and thread-safe.
 */
public enum TensorType {
  /** {@code int8}. */
  INT8("int8", "int8", "|i1", 1),
  /** {@code uint8}. */
  UINT8("uint8", "uint8", "|u1", 1),
  /** {@code int16}. */
  INT16("int16", "int16", "<i2", 2),
  /** {@code uint16}. */
  UINT16("uint16", "uint16", "<u2", 2),
  /** {@code int32}, C++ {@code int}. */
  INT32("int32", "int", "<i4", 4),
  /** {@code uint32}. */
  UINT32("uint32", "uint32", "<u4", 4),
  /** {@code int64}. */
  INT64("int64", "int64", "<i8", 8),
  /** {@code uint64}. */
  UINT64("uint64", "uint64", "<u8", 8),
  /** {@code float32}, C++ {@code float}. */
  FLOAT32("float32", "float", "<f4", 4),
  /** {@code float64}, C++ {@code double}. */
  FLOAT64("float64", "double", "<f8", 8),
  /** {@code bool}, one byte per element (0 or 1). */
  BOOL("bool", "bool", "|b1", 1);

  private final String numpyName;
  private final String cppName;
  private final String dtypeString;
  private final int elementSize;

  TensorType(String numpyName, String cppName, String dtypeString, int elementSize) {
    this.numpyName = numpyName;
    this.cppName = cppName;
    this.dtypeString = dtypeString;
    this.elementSize = elementSize;
  }

  /**
   * The numpy dtype name, Python's {@code value_type_}.
   *
   * @return for example {@code float64}
   */
  public String numpyName() {
    return numpyName;
  }

  /**
   * The C++ name in the typename, Python's {@code normalize_cpptype}.
   *
   * @return for example {@code double}
   */
  public String cppName() {
    return cppName;
  }

  /**
   * numpy's dtype string, Python's {@code value_type_meta_}.
   *
   * @return for example {@code <f8}
   */
  public String dtypeString() {
    return dtypeString;
  }

  /**
   * Bytes per element.
   *
   * @return 1, 2, 4 or 8
   */
  public int elementSize() {
    return elementSize;
  }

  /**
   * The typename of a tensor of this type.
   *
   * @return for example {@code vineyard::Tensor<double>}
   */
  public String tensorTypename() {
    return "vineyard::Tensor<" + cppName + ">";
  }

  /**
   * The type a tensor's metadata names: its {@code value_type_} as numpy or C++ writes it, else its
   * {@code value_type_meta_} dtype string.
   *
   * @param valueType the {@code value_type_} field (may be null)
   * @param dtypeString the {@code value_type_meta_} field (may be null)
   * @return the type
   * @throws IllegalArgumentException when neither names a supported type
   */
  public static TensorType fromMetadata(String valueType, String dtypeString) {
    if (valueType != null) {
      String v = valueType.toLowerCase(Locale.ROOT);
      for (TensorType t : values()) {
        if (t.numpyName.equals(v)) {
          return t;
        }
      }
      switch (v) {
        case "int", "i32", "int32_t" -> {
          return INT32;
        }
        case "uint", "u32", "uint32_t" -> {
          return UINT32;
        }
        case "i64", "int64_t", "long", "long long" -> {
          return INT64;
        }
        case "u64", "uint64_t" -> {
          return UINT64;
        }
        case "int8_t" -> {
          return INT8;
        }
        case "uint8_t" -> {
          return UINT8;
        }
        case "int16_t" -> {
          return INT16;
        }
        case "uint16_t" -> {
          return UINT16;
        }
        case "float" -> {
          return FLOAT32;
        }
        case "double" -> {
          return FLOAT64;
        }
        default -> {}
      }
    }
    if (dtypeString != null) {
      for (TensorType t : values()) {
        if (t.dtypeString.equals(dtypeString)
            || t.dtypeString
                    .substring(1)
                    .equals(dtypeString.substring(Math.min(1, dtypeString.length())))
                && dtypeString.charAt(0) == '=') {
          return t;
        }
      }
    }
    throw new IllegalArgumentException(
        "unsupported tensor value type '" + valueType + "' (" + dtypeString + ")");
  }
}
