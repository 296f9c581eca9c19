package io.cellar.deploy.cli;

import java.io.PrintStream;

/**
 * The live progress line of {@code --wait}: on a terminal one line rewritten in place, elsewhere a
 * new line each time the text changes. Written to stderr so stdout stays for data. Not thread-safe
 * (one waiting command at a time).
 */
final class Progress {
  private final PrintStream out;
  private final boolean terminal;
  private String last = "";
  private int width;

  Progress(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  static Progress stderr() {
    return new Progress(System.err, System.console() != null && System.console().isTerminal());
  }

  /** Shows {@code text}. */
  void show(String text) {
    if (terminal) {
      String padded = text + " ".repeat(Math.max(0, width - text.length()));
      out.print("\r" + padded);
      out.flush();
      width = text.length();
    } else if (!text.equals(last)) {
      out.println(text);
    }
    last = text;
  }

  /** Ends the line (on a terminal) with a final message. */
  void done(String text) {
    if (terminal) {
      show(text);
      out.println();
    } else {
      out.println(text);
    }
    last = "";
    width = 0;
  }

  /** A log line, shown only with {@code --verbose}. */
  static void log(Globals globals, String line) {
    if (globals.verbose) {
      System.err.println(line);
    }
  }
}
