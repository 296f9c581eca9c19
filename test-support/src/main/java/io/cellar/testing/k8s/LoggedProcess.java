package io.cellar.testing.k8s;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One component process of the control plane (etcd, kube-apiserver, ...) whose stdout and stderr go
 * to a log file. Stopping sends SIGTERM, then SIGKILL after a grace period.
 *
 * <p>Thread safety: {@link #stop} may be called from any thread and more than once; the accessors
 * are safe from any thread.
 */
final class LoggedProcess {
  private static final int TAIL_BYTES = 64 * 1024;

  private final String name;
  private final Process process;
  private final Path log;

  private LoggedProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code command} in {@code workDir} with stdin empty, stdout and stderr appended to
   * {@code log}, and {@code env} added to this JVM's environment.
   *
   * @param name the component's name, for messages
   * @param command the executable and its arguments
   * @param workDir the working directory
   * @param log the log file
   * @param env variables to set (or override)
   * @return the running process
   */
  static LoggedProcess start(
      String name, List<String> command, Path workDir, Path log, Map<String, String> env) {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(env);
    try {
      Files.writeString(log, "# " + String.join(" ", command) + System.lineSeparator());
      return new LoggedProcess(name, builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + name + ": " + command, e);
    }
  }

  /** The component's name. */
  String name() {
    return name;
  }

  /** The operating-system process id. */
  long pid() {
    return process.pid();
  }

  /** The log file (stdout and stderr). */
  Path log() {
    return log;
  }

  /** Whether the process is still running. */
  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Says why this process is no use any more, or null while it runs.
   *
   * @return "NAME exited with code N" and the tail of its log, or null
   */
  String deathNote() {
    if (process.isAlive()) {
      return null;
    }
    return name
        + " exited with code "
        + process.exitValue()
        + "; the end of "
        + log
        + ":\n"
        + tail(30);
  }

  /**
   * The last {@code lines} lines of the log (read from its last 64 KiB).
   *
   * @param lines how many lines at most
   * @return the lines, joined with newlines; a note if the log cannot be read
   */
  String tail(int lines) {
    try (SeekableByteChannel channel = Files.newByteChannel(log)) {
      long size = channel.size();
      int length = (int) Math.min(size, TAIL_BYTES);
      ByteBuffer buffer = ByteBuffer.allocate(length);
      channel.position(size - length);
      while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
        // read to the end
      }
      List<String> all =
          List.of(
              new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8)
                  .split("\n", -1));
      int from = Math.max(0, all.size() - lines - 1);
      return String.join("\n", all.subList(from, all.size())).stripTrailing();
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /**
   * Stops the process: SIGTERM, then SIGKILL if it has not exited within {@code grace}. Child
   * processes, if it started any, get the same treatment. Returns once it has exited.
   *
   * @param grace how long SIGTERM gets
   * @return true if SIGTERM was enough, false if it had to be killed
   * @throws IllegalStateException if it is still alive even after SIGKILL
   */
  boolean stop(Duration grace) throws InterruptedException {
    List<ProcessHandle> children = new ArrayList<>(process.descendants().toList());
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    boolean graceful = process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
    if (!graceful) {
      process.destroyForcibly();
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(name + " (pid " + pid() + ") survived SIGKILL");
    }
    return graceful;
  }
}
