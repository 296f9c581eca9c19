package io.cellar.protocol;

/**
 * Object ids, signatures and instance ids of the Vineyard protocol (reference §4.1): unsigned
 * 64-bit numbers held in a Java {@code long}. Bit 63 marks a blob; {@link #EMPTY_BLOB} is the blob
 * of size 0; {@link #INVALID} is 2^64-1.
 *
 * <p>Stateless and thread-safe.
 */
public final class ObjectIds {
  /** Bit 63: set on every blob id. */
  public static final long BLOB_BIT = 0x8000000000000000L;

  /** The id of the empty blob, {@code o8000000000000000}. */
  public static final long EMPTY_BLOB = 0x8000000000000000L;

  /**
   * {@code InvalidObjectID}, 2^64-1; also the placeholder blob and {@code UnspecifiedInstanceID}.
   */
  public static final long INVALID = 0xFFFFFFFFFFFFFFFFL;

  /** {@code UnspecifiedInstanceID}, 2^64-1. */
  public static final long UNSPECIFIED_INSTANCE = 0xFFFFFFFFFFFFFFFFL;

  private ObjectIds() {}

  /**
   * Whether an id names a blob (bit 63 set).
   *
   * @param id an object id
   * @return true for blob ids, including the empty blob
   */
  public static boolean isBlob(long id) {
    return (id & BLOB_BIT) != 0;
  }

  /**
   * The text form {@code "o" + 16 lowercase hex digits} used inside metadata.
   *
   * @param id an object id
   * @return for example {@code o8000000000000000}
   */
  public static String toText(long id) {
    return 'o' + hex16(id);
  }

  /**
   * The signature text form {@code "s" + 16 lowercase hex digits}.
   *
   * @param signature a signature
   * @return for example {@code s0005300822f54d1c}
   */
  public static String signatureText(long signature) {
    return 's' + hex16(signature);
  }

  /**
   * The instance name {@code "i" + decimal}.
   *
   * @param instanceId an instance id
   * @return for example {@code i0}
   */
  public static String instanceText(long instanceId) {
    return "i" + Long.toUnsignedString(instanceId);
  }

  /**
   * Parses an {@code o…} or {@code s…} text id: the first character is skipped and the rest read as
   * unsigned hexadecimal, as the reference does.
   *
   * @param text the text form
   * @return the id
   * @throws IllegalArgumentException when the text is not one letter followed by 1 to 16 hex digits
   */
  public static long parseText(String text) {
    if (text == null || text.length() < 2 || text.length() > 17) {
      throw new IllegalArgumentException("not an object id: " + text);
    }
    try {
      return Long.parseUnsignedLong(text, 1, text.length(), 16);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an object id: " + text, e);
    }
  }

  /**
   * An unsigned decimal rendering, as ids appear as JSON numbers on the wire.
   *
   * @param id an id
   * @return the unsigned decimal text, never negative
   */
  public static String toUnsignedDecimal(long id) {
    return Long.toUnsignedString(id);
  }

  private static String hex16(long v) {
    String h = Long.toHexString(v);
    return "0".repeat(16 - h.length()) + h;
  }
}
