package io.cellar.server.cli;

/**
 * One command-line flag: its name, kind, default (as text) and help.
 *
 * <p>Immutable.
 *
 * @param name the name without dashes
 * @param kind how its value is read
 * @param defaultValue the default, as it would be written on the command line
 * @param help one line for {@code --help}
 */
public record FlagSpec(String name, Kind kind, String defaultValue, String help) {
  /** How a flag's value is read. */
  public enum Kind {
    /** {@code --f}, {@code --nof}, {@code --f=true|false|1|0|yes|no|t|f|y|n}. */
    BOOL,
    /** Any text, possibly empty. */
    STRING,
    /** A decimal integer (or octal with a leading 0 where documented). */
    INT,
    /** A decimal number. */
    DOUBLE
  }
}
