package io.cellar.core.meta;

import io.cellar.protocol.CellarException;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Matches type names and object names against a {@code list_data}/{@code list_name} pattern: an
 * {@code fnmatch} glob ({@code *}, {@code ?}, {@code [...]} with {@code !} or {@code ^} negation,
 * no special meaning for {@code /}), or with {@code regex} a Java regular expression that must
 * match the whole name, as {@code std::regex_match} does.
 *
 * <p>Immutable and thread-safe.
 */
final class TypenameMatcher {
  private TypenameMatcher() {}

  /**
   * Compiles a pattern.
   *
   * @param pattern the glob or regex
   * @param regex whether it is a regular expression
   * @return a predicate that is true for whole-string matches
   * @throws CellarException {@code Invalid} for a malformed regular expression
   */
  static Predicate<String> compile(String pattern, boolean regex) {
    String p = pattern == null ? "*" : pattern;
    Pattern compiled;
    try {
      compiled = Pattern.compile(regex ? p : globToRegex(p), Pattern.DOTALL);
    } catch (PatternSyntaxException e) {
      throw CellarException.invalid(
          "invalid regular expression '" + p + "': " + e.getDescription());
    }
    return s -> compiled.matcher(s).matches();
  }

  /** Translates an fnmatch glob (flags 0) into an equivalent Java regex. */
  static String globToRegex(String glob) {
    StringBuilder out = new StringBuilder(glob.length() * 2);
    int i = 0;
    int n = glob.length();
    while (i < n) {
      char c = glob.charAt(i++);
      switch (c) {
        case '*' -> out.append(".*");
        case '?' -> out.append('.');
        case '\\' -> {
          if (i < n) {
            out.append(Pattern.quote(String.valueOf(glob.charAt(i++))));
          } else {
            out.append("\\\\");
          }
        }
        case '[' -> {
          int end = bracketEnd(glob, i);
          if (end < 0) {
            out.append("\\[");
          } else {
            out.append(bracket(glob.substring(i, end)));
            i = end + 1;
          }
        }
        default -> out.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return out.toString();
  }

  /** The index of the ']' closing a bracket expression whose body starts at {@code from}. */
  private static int bracketEnd(String glob, int from) {
    int j = from;
    if (j < glob.length() && (glob.charAt(j) == '!' || glob.charAt(j) == '^')) {
      j++;
    }
    if (j < glob.length() && glob.charAt(j) == ']') {
      j++;
    }
    while (j < glob.length() && glob.charAt(j) != ']') {
      j++;
    }
    return j < glob.length() ? j : -1;
  }

  private static String bracket(String body) {
    StringBuilder out = new StringBuilder("[");
    int first = 0;
    if (!body.isEmpty() && (body.charAt(0) == '!' || body.charAt(0) == '^')) {
      out.append('^');
      first = 1;
    }
    for (int i = first; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == '-' && i > first && i < body.length() - 1) {
        out.append('-');
      } else if (Character.isLetterOrDigit(c)) {
        out.append(c);
      } else {
        out.append('\\').append(c);
      }
    }
    return out.append(']').toString();
  }
}
