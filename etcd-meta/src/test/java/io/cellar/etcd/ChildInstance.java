package io.cellar.etcd;

import io.cellar.testing.etcd.PosixSignals;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link BackendChild} in its own JVM and talks to it over its standard streams. Waiting for
 * its answers is a blocking read of its output, bounded by a timeout.
 *
 * <p>Not thread-safe: one test thread.
 */
final class ChildInstance implements AutoCloseable {
  private final Process process;
  private final PrintWriter commands;
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuilder output = new StringBuilder();
  private final long instanceId;

  ChildInstance(Map<String, String> options) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("-Xmx128m");
    command.add(BackendChild.class.getName());
    options.forEach((k, v) -> command.add(k + "=" + v));
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    commands =
        new PrintWriter(
            new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8),
            true);
    CompletableFuture.runAsync(this::readOutput);
    instanceId = Long.parseLong(expect("REGISTERED ").substring("REGISTERED ".length()));
  }

  private void readOutput() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (output) {
          output.append(line).append('\n');
        }
        lines.add(line);
      }
    } catch (IOException e) {
      // the child is gone
    }
  }

  /** Waits (bounded) for an output line starting with a prefix. */
  String expect(String prefix) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    try {
      while (true) {
        String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (line == null) {
          throw new AssertionError("child said no '" + prefix + "' in 30 s; output:\n" + output());
        }
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  long instanceId() {
    return instanceId;
  }

  long pid() {
    return process.pid();
  }

  /** Commits a name in the child and returns the commit's revision. */
  long commitName(String name, long id) {
    commands.println("name " + name + " " + id);
    return Long.parseLong(expect("COMMITTED ").substring("COMMITTED ".length()));
  }

  void kill9() throws InterruptedException {
    PosixSignals.kill(process.pid());
    process.waitFor(10, TimeUnit.SECONDS);
  }

  String output() {
    synchronized (output) {
      return output.toString();
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      PosixSignals.resume(process.pid());
      process.destroyForcibly();
    }
  }
}
