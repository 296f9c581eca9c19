package io.cellar.core.memory;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses memory sizes the way vineyardd reads {@code --size} ({@code parse_memory_size}): a number
 * of bytes, whole or fixed-point ({@code 1.5}, {@code 1e9}), optionally followed by a suffix K, M,
 * G, T, P or E meaning powers of two (1024, 1024², ...). Only the first suffix letter is read, so
 * {@code 4Gi}, {@code 4GB} and {@code 4g} all mean 4 GiB, and {@code 1.5G} means 1.5 GiB; a
 * fraction of a byte is dropped. Unlike the reference, which reads a malformed or negative value as
 * "no limit", every malformed value is an error naming what is wrong.
 *
 * <p>Stateless and thread-safe.
 */
public final class MemorySize {
  private static final Pattern NUMBER = Pattern.compile("(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
  private static final BigDecimal MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  private MemorySize() {}

  /**
   * Parses a size.
   *
   * @param text for example {@code "1073741824"}, {@code "256M"}, {@code "4Gi"}, {@code "1.5G"},
   *     {@code "2 GB"}
   * @return the size in bytes
   * @throws IllegalArgumentException when the text is empty, negative, not a number, has an unknown
   *     suffix, or overflows 64 bits; the message names the value and the fault
   */
  public static long parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("invalid memory size: null");
    }
    String s = text.strip();
    if (s.startsWith("-")) {
      throw new IllegalArgumentException(
          "invalid memory size '"
              + text
              + "': negative (give bytes, or a number with K, M, G, T,"
              + " P or E)");
    }
    Matcher m = NUMBER.matcher(s);
    if (!m.lookingAt()) {
      throw new IllegalArgumentException(
          "invalid memory size '"
              + text
              + "': no number (give bytes, or a number with K, M, G,"
              + " T, P or E, e.g. 512M or 1.5G)");
    }
    BigDecimal number = new BigDecimal(m.group());
    String rest = s.substring(m.end()).strip();
    int shift = 0;
    if (!rest.isEmpty()) {
      shift =
          switch (Character.toUpperCase(rest.charAt(0))) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            case 'P' -> 50;
            case 'E' -> 60;
            default ->
                throw new IllegalArgumentException(
                    "invalid memory size '"
                        + text
                        + "': unknown suffix '"
                        + rest.toUpperCase(Locale.ROOT)
                        + "' (use K, M, G, T, P or E)");
          };
    }
    BigDecimal bytes = number.multiply(BigDecimal.valueOf(2).pow(shift));
    if (bytes.compareTo(MAX) > 0) {
      throw new IllegalArgumentException("invalid memory size '" + text + "': too large");
    }
    return bytes.setScale(0, RoundingMode.DOWN).longValueExact();
  }
}
