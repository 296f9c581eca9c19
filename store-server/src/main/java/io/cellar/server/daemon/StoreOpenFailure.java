package io.cellar.server.daemon;

import io.cellar.posix.Errno;
import io.cellar.posix.ErrnoException;
import io.cellar.server.cli.MemorySizeParser;
import java.util.Locale;

/**
 * Says in words why the store could not be opened. The one case worth explaining is a {@code
 * --size} the kernel will not map ({@code mmap} answers ENOMEM: more than the address space a
 * process has, or more than the overcommit policy allows); anything else is reported as it came.
 *
 * <p>Stateless and thread-safe.
 */
final class StoreOpenFailure {
  private StoreOpenFailure() {}

  /**
   * The message for a failed store open.
   *
   * @param failure what {@code Store.open} threw
   * @param size the {@code --size} in bytes
   * @return one line for the log
   */
  static String describe(Throwable failure, long size) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ErrnoException e
          && e.errno() == Errno.ENOMEM
          && String.valueOf(e.getMessage()).startsWith("mmap")) {
        return "cannot reserve "
            + human(size)
            + " of shared memory (--size): the kernel refused to map that much (mmap: ENOMEM)."
            + " A process can map at most 128 TiB, and this machine has "
            + human(MemorySizeParser.systemDefault())
            + " of memory; give a smaller --size, or none for the machine's memory";
      }
    }
    return "cannot open the store: " + failure.getMessage();
  }

  /**
   * A byte count in binary units, e.g. {@code 100.0 PiB (112589990684262400 bytes)}.
   *
   * @param bytes the count
   * @return the text
   */
  static String human(long bytes) {
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1024) {
      return bytes + " bytes";
    }
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s (%d bytes)", v, units[u], bytes);
  }
}
