package io.cellar.etcd;

import io.cellar.testing.python.PythonVenv;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The reference vineyardd (the C++ binary in the {@code vineyard-bdist} wheel) on etcd, and the
 * real Python client to drive it, both from test-support's {@link PythonVenv#vineyard()}
 * environment (the one {@code it/} uses).
 *
 * <p>Not thread-safe: one test thread. The process is killed by pid at {@link #close}.
 */
final class ReferenceVineyard implements AutoCloseable {
  private final Process process;
  private final Path socket;
  private final Path log;
  private final Path python;

  private ReferenceVineyard(Process process, Path socket, Path log, Path python) {
    this.process = process;
    this.socket = socket;
    this.log = log;
    this.python = python;
  }

  /** The real client's environment (test-support's), created or updated when its pins differ. */
  static Path venv() throws IOException, InterruptedException {
    return PythonVenv.vineyard().directory();
  }

  /** The reference binary, when this platform's wheel ships it. */
  static Optional<Path> binary() throws IOException, InterruptedException {
    return PythonVenv.vineyard().referenceVineyardd();
  }

  /**
   * Starts the reference on etcd and waits (bounded) until it listens on its IPC socket.
   *
   * @param venv the Python environment
   * @param binary the vineyardd binary
   * @param endpoint the etcd endpoint
   * @param prefix the {@code --etcd_prefix}
   * @param dir where its socket and log go
   * @param rpcPort the {@code --rpc_socket_port}
   * @return the running server
   */
  static ReferenceVineyard start(
      Path venv, Path binary, String endpoint, String prefix, Path dir, int rpcPort)
      throws IOException {
    Path socket = dir.resolve("ref.sock");
    Path log = dir.resolve("vineyardd.log");
    List<String> command =
        List.of(
            binary.toString(),
            "--meta=etcd",
            "--etcd_endpoint=" + endpoint,
            "--etcd_prefix=" + prefix,
            "--socket=" + socket,
            "--rpc_socket_port=" + rpcPort,
            "--size=256M",
            "--meta_timeout=30");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    ReferenceVineyard ref = new ReferenceVineyard(process, socket, log, venv.resolve("bin/python"));
    CompletableFuture<Void> listening = new CompletableFuture<>();
    Thread.ofPlatform().daemon().name("ref-vineyardd-log").start(() -> ref.copyLog(listening));
    try {
      listening.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      ref.close();
      throw new AssertionError("reference vineyardd did not start:\n" + ref.log(), e);
    }
    return ref;
  }

  private void copyLog(CompletableFuture<Void> listening) {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (line.contains("for IPC")) {
          listening.complete(null);
        }
      }
    } catch (IOException e) {
      // gone
    }
    listening.completeExceptionally(new IllegalStateException("vineyardd exited"));
  }

  long pid() {
    return process.pid();
  }

  Path socket() {
    return socket;
  }

  String log() {
    try {
      return Files.exists(log) ? Files.readString(log) : "(no log)";
    } catch (IOException e) {
      return "(log unreadable)";
    }
  }

  /**
   * Runs a Python snippet with the real client connected to this server as {@code client}.
   *
   * @param body the code after {@code client = vineyard.connect(<socket>)}
   * @return its standard output
   */
  String python(String body) {
    String script =
        "import vineyard, numpy as np, sys\nclient = vineyard.connect('" + socket + "')\n" + body;
    try {
      return run(List.of(python.toString(), "-c", script), 120);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String run(List<String> command, long timeoutSeconds)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("cellar-ref", ".out");
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " ran over " + timeoutSeconds + " s");
      }
      String text = Files.readString(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IOException(
            String.join(" ", command) + " exited " + p.exitValue() + ":\n" + text);
      }
      return text;
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
