package io.cellar.server.cli;

import java.nio.file.Path;

/**
 * glog's flags as vineyardd takes them, to be mapped onto this daemon's logging: {@code --log_dir},
 * {@code --logtostderr}, {@code --alsologtostderr}, {@code --v} and {@code --minloglevel}.
 * vineyardd sets glog's {@code stderrthreshold} to 0, so every message reaches stderr and, unless
 * {@code --logtostderr}, a log file as well; here the log file is written only when {@code
 * --log_dir} is given (the reference's default directory is {@code /tmp}).
 *
 * <p>Immutable.
 *
 * @param logDir {@code --log_dir}, or null for no log file
 * @param logToStderr {@code --logtostderr}: stderr only, no log file
 * @param verbosity {@code --v}: 0 logs INFO and above, 1 adds DEBUG, 2 and more add TRACE
 * @param minLogLevel {@code --minloglevel}: 0 INFO, 1 WARNING, 2 ERROR, 3 FATAL (only the daemon's
 *     own fatal start-up errors)
 */
public record LogOptions(Path logDir, boolean logToStderr, int verbosity, int minLogLevel) {
  /** Nothing asked: INFO and above, to stderr. */
  public static final LogOptions DEFAULT = new LogOptions(null, false, 0, 0);

  /**
   * The SLF4J level name these flags select.
   *
   * @return {@code trace}, {@code debug}, {@code info}, {@code warn}, {@code error} or {@code off}
   */
  public String level() {
    return switch (minLogLevel) {
      case 0 -> verbosity >= 2 ? "trace" : verbosity == 1 ? "debug" : "info";
      case 1 -> "warn";
      case 2 -> "error";
      default -> "off";
    };
  }

  /**
   * Whether a log file is written.
   *
   * @return true with {@code --log_dir} and without {@code --logtostderr}
   */
  public boolean writesFile() {
    return logDir != null && !logToStderr;
  }
}
