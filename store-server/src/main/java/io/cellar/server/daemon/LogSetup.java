package io.cellar.server.daemon;

import io.cellar.server.cli.LogOptions;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Maps glog's flags onto the daemon's logging (SLF4J's simple logger, which writes to {@code
 * System.err}): {@code --v} and {@code --minloglevel} choose the level; {@code --log_dir} (unless
 * {@code --logtostderr}) also writes everything stderr gets to a file named as glog names it,
 * {@code <dir>/vineyard.<host>.<user>.log.INFO.<yyyyMMdd-HHmmss>.<pid>}, with the link {@code
 * vineyard.INFO} to it, as the reference does. Must run before the first logger is created.
 *
 * <p>Called once, on the main thread, before anything logs.
 */
final class LogSetup {
  private static final String LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private LogSetup() {}

  /**
   * Applies the flags.
   *
   * @param options glog's flags
   * @return the log file, or null when none is written
   * @throws IOException when {@code --log_dir} cannot be written
   */
  static Path apply(LogOptions options) throws IOException {
    if (!options.level().equals("info") || System.getProperty(LEVEL) == null) {
      System.setProperty(LEVEL, options.level());
    }
    if (!options.writesFile()) {
      return null;
    }
    Path dir = options.logDir();
    Files.createDirectories(dir);
    String user = System.getenv("USER");
    String name =
        "vineyard."
            + kernelHostname()
            + "."
            + (user == null || user.isEmpty() ? "unknown" : user)
            + ".log.INFO."
            + LocalDateTime.now().format(STAMP)
            + "."
            + ProcessHandle.current().pid();
    Path file = dir.resolve(name);
    OutputStream out = new FileOutputStream(file.toFile(), true);
    Path link = dir.resolve("vineyard.INFO");
    try {
      Files.deleteIfExists(link);
      Files.createSymbolicLink(link, file.getFileName());
    } catch (IOException e) {
      // the log file itself is what matters
    }
    PrintStream stderr = System.err;
    System.setErr(new PrintStream(new Tee(stderr, out), true, StandardCharsets.UTF_8));
    return file;
  }

  private static String kernelHostname() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    } catch (IOException e) {
      return "localhost";
    }
  }

  /** Writes to stderr and the log file. Used under the PrintStream's lock. */
  private static final class Tee extends OutputStream {
    private final OutputStream first;
    private final OutputStream second;

    Tee(OutputStream first, OutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public void write(int b) throws IOException {
      first.write(b);
      second.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      first.write(b, off, len);
      second.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      first.flush();
      second.flush();
    }
  }
}
