package io.cellar.deploy.k8s;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/vineyardctl} as a child process, as a user runs it: its exit status, stdout and
 * stderr, or a long-running one (the operator) with its output in a log file.
 */
final class CliProcess {
  private final Path repo;
  private final Path logs;

  CliProcess(Path logs) {
    this.repo = Path.of(System.getProperty("cellar.repo.root", "..")).toAbsolutePath().normalize();
    this.logs = logs;
  }

  record Result(int exit, String stdout, String stderr, Duration took) {
    @Override
    public String toString() {
      return "exit "
          + exit
          + " after "
          + took.toMillis()
          + " ms\n--- stdout\n"
          + stdout
          + "\n--- stderr\n"
          + stderr;
    }
  }

  Path launcher() {
    return repo.resolve("bin/vineyardctl");
  }

  Result run(Duration timeout, String... args) throws IOException, InterruptedException {
    return runWithInput(timeout, null, args);
  }

  Result runWithInput(Duration timeout, String stdin, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(launcher().toString());
    command.addAll(List.of(args));
    Path out = Files.createTempFile(logs, "cli-", ".out");
    Path err = Files.createTempFile(logs, "cli-", ".err");
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    long start = System.nanoTime();
    Process p = pb.start();
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly().waitFor();
      throw new IllegalStateException(
          "vineyardctl "
              + String.join(" ", args)
              + " did not finish in "
              + timeout
              + "\n"
              + Files.readString(err));
    }
    return new Result(
        p.exitValue(),
        Files.readString(out),
        Files.readString(err),
        Duration.ofNanos(System.nanoTime() - start));
  }

  /** A long-running vineyardctl (the operator), its stdout and stderr in {@code log}. */
  Process start(Path log, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(launcher().toString());
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }
}
