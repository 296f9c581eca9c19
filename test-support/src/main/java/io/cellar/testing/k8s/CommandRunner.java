package io.cellar.testing.k8s;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short command (kubectl, openssl) to completion with a timeout and captures its stdout and
 * stderr, each drained on its own virtual thread so neither pipe fills up.
 *
 * <p>Stateless; safe from any thread.
 */
final class CommandRunner {
  /** What a finished command left behind. */
  record Result(List<String> command, int exitCode, String stdout, String stderr) {
    /** Whether it exited with 0. */
    boolean succeeded() {
      return exitCode == 0;
    }
  }

  private CommandRunner() {}

  /**
   * Runs {@code command} in {@code workDir}.
   *
   * @param command the executable and its arguments
   * @param workDir the working directory
   * @param env variables to set (or override) on top of this JVM's environment
   * @param stdin what to write to its stdin (then closed); null for none
   * @param timeout how long it may run; it is killed after that
   * @return its exit code and output
   * @throws IllegalStateException if it cannot be started or overruns the timeout
   */
  static Result run(
      List<String> command, Path workDir, Map<String, String> env, String stdin, Duration timeout)
      throws InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
    builder.environment().putAll(env);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + command, e);
    }
    FutureTask<String> out = drain(process.getInputStream());
    FutureTask<String> err = drain(process.getErrorStream());
    try (OutputStream in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // the command exited without reading its input; its exit code and stderr tell why
    }
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor();
      throw new IllegalStateException(
          "timed out after " + timeout.toMillis() + " ms: " + command + "; stderr: " + get(err));
    }
    return new Result(List.copyOf(command), process.exitValue(), get(out), get(err));
  }

  private static FutureTask<String> drain(InputStream stream) {
    FutureTask<String> task =
        new FutureTask<>(
            () -> {
              try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
              }
            });
    Thread.ofVirtual().name("command-output").start(task);
    return task;
  }

  private static String get(FutureTask<String> task) throws InterruptedException {
    try {
      return task.get();
    } catch (ExecutionException e) {
      return "(output unreadable: " + e.getCause() + ")";
    }
  }
}
