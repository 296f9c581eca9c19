package io.cellar.server.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses a command line with gflags syntax: {@code --f=v}, {@code --f v}, {@code -f=v}, {@code -f
 * v}, {@code --f} (boolean true), {@code --nof}, {@code --f=false}; {@code --} ends the flags. A
 * boolean flag followed by a separate boolean word ({@code --sync_crds true}, as the vineyard
 * operator writes it) takes that word as its value: gflags itself would leave the word behind as a
 * positional argument, which vineyardd ignores, so {@code --f true} means true on both, while
 * {@code --f false} means false here (the words' plain meaning) and true on the reference. Every
 * flag must be known; values are checked against the flag's kind.
 *
 * <p>Stateless and thread-safe.
 */
public final class GflagsParser {
  private final Map<String, FlagSpec> specs = new LinkedHashMap<>();

  /**
   * A parser for a set of flags.
   *
   * @param specs the known flags
   */
  public GflagsParser(List<FlagSpec> specs) {
    for (FlagSpec s : specs) {
      this.specs.put(s.name(), s);
    }
  }

  /**
   * Parses arguments into flag values (text), defaults filled in for flags not given.
   *
   * @param args the arguments
   * @return name to value, in declaration order
   * @throws UsageException for an unknown flag, a missing value, a malformed value, or a positional
   *     argument
   */
  public Map<String, String> parse(String[] args) throws UsageException {
    Map<String, String> values = new LinkedHashMap<>();
    for (FlagSpec s : specs.values()) {
      values.put(s.name(), s.defaultValue());
    }
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--")) {
        if (i + 1 < args.length) {
          throw new UsageException("unexpected argument '" + args[i + 1] + "'");
        }
        break;
      }
      if (!arg.startsWith("-") || arg.equals("-")) {
        throw new UsageException("unexpected argument '" + arg + "' (flags start with --)");
      }
      String body = arg.startsWith("--") ? arg.substring(2) : arg.substring(1);
      int eq = body.indexOf('=');
      String name = eq < 0 ? body : body.substring(0, eq);
      String value = eq < 0 ? null : body.substring(eq + 1);
      FlagSpec spec = specs.get(name);
      if (spec == null && value == null && name.startsWith("no")) {
        FlagSpec negated = specs.get(name.substring(2));
        if (negated != null && negated.kind() == FlagSpec.Kind.BOOL) {
          values.put(negated.name(), "false");
          continue;
        }
      }
      if (spec == null) {
        throw new UsageException("unknown command line flag '" + name + "'");
      }
      if (value == null) {
        if (spec.kind() == FlagSpec.Kind.BOOL) {
          boolean wordFollows = i + 1 < args.length && isBoolWord(args[i + 1]);
          value = wordFollows ? args[++i] : "true";
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          throw new UsageException("flag '" + name + "' is missing its argument");
        }
      }
      values.put(name, normalize(spec, value));
    }
    return values;
  }

  private static boolean isBoolWord(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "true", "t", "yes", "y", "1", "false", "f", "no", "n", "0" -> true;
      default -> false;
    };
  }

  private static String normalize(FlagSpec spec, String value) throws UsageException {
    switch (spec.kind()) {
      case BOOL -> {
        return switch (value.toLowerCase(Locale.ROOT)) {
          case "true", "t", "yes", "y", "1" -> "true";
          case "false", "f", "no", "n", "0" -> "false";
          default -> throw illegal(spec, value, "a boolean");
        };
      }
      case INT -> {
        try {
          Long.decode(value.trim());
        } catch (NumberFormatException e) {
          throw illegal(spec, value, "an integer");
        }
        return value.trim();
      }
      case DOUBLE -> {
        try {
          Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
          throw illegal(spec, value, "a number");
        }
        return value.trim();
      }
      default -> {
        return value;
      }
    }
  }

  private static UsageException illegal(FlagSpec spec, String value, String what) {
    return new UsageException(
        "illegal value '" + value + "' specified for flag '" + spec.name() + "': not " + what);
  }

  /**
   * The help text listing every flag with its default.
   *
   * @param usage the first line
   * @return the text
   */
  public String help(String usage) {
    StringBuilder b = new StringBuilder(usage).append("\n\nFlags:\n");
    for (FlagSpec s : specs.values()) {
      b.append("  --").append(s.name());
      if (s.kind() != FlagSpec.Kind.BOOL) {
        b.append("=<").append(s.kind().name().toLowerCase(Locale.ROOT)).append('>');
      }
      b.append("\n      ").append(s.help());
      b.append(" (default: ").append(s.defaultValue().isEmpty() ? "\"\"" : s.defaultValue());
      b.append(")\n");
    }
    return b.toString();
  }
}
