package io.cellar.core.memory;

import java.util.Locale;

/**
 * Parses memory sizes the way vineyardd reads {@code --size} ({@code parse_memory_size}): a plain
 * number of bytes, or a number followed by a suffix K, M, G, T, P or E meaning powers of two (1024,
 * 1024², ...). Only the first suffix letter is read, so {@code 4Gi}, {@code 4GB} and {@code 4g} all
 * mean 4 GiB.
 *
 * <p>Stateless and thread-safe.
 */
public final class MemorySize {
  private MemorySize() {}

  /**
   * Parses a size.
   *
   * @param text for example {@code "1073741824"}, {@code "256M"}, {@code "4Gi"}, {@code "2 GB"}
   * @return the size in bytes
   * @throws IllegalArgumentException when the text is empty, negative, not a number, has an unknown
   *     suffix, or overflows 64 bits; the message names the value
   */
  public static long parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("invalid memory size: null");
    }
    String s = text.strip();
    int i = 0;
    while (i < s.length() && Character.isDigit(s.charAt(i))) {
      i++;
    }
    if (i == 0) {
      throw new IllegalArgumentException("invalid memory size '" + text + "': no number");
    }
    long number;
    try {
      number = Long.parseLong(s, 0, i, 10);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid memory size '" + text + "': too large", e);
    }
    String rest = s.substring(i).strip();
    if (rest.isEmpty()) {
      return number;
    }
    int shift =
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
    if (number > (Long.MAX_VALUE >> shift)) {
      throw new IllegalArgumentException("invalid memory size '" + text + "': too large");
    }
    return number << shift;
  }
}
