package io.cellar.it;

import io.cellar.testing.python.PythonVenv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code vineyard} Python client for interop tests: test-support's {@link
 * PythonVenv#vineyard()} environment (the pins live in the root pom and arrive as {@code
 * cellar.python.requirements}), and the scenario scripts of {@code it/src/test/python}.
 *
 * <p>Thread-safe: the environment is built once (PythonVenv locks across JVMs).
 */
public final class PythonEnvironment {
  private static PythonEnvironment shared;

  private final PythonVenv venv;
  private final Path scripts;

  private PythonEnvironment(PythonVenv venv, Path scripts) {
    this.venv = venv;
    this.scripts = scripts;
  }

  /**
   * The environment, created or updated on first call in this JVM.
   *
   * @return the ready environment
   * @throws IOException when python3 or pip fails (the message holds pip's output)
   */
  public static synchronized PythonEnvironment get() throws IOException, InterruptedException {
    if (shared == null) {
      Path scripts =
          Path.of(
              System.getProperty(
                  "cellar.python.dir",
                  PythonVenv.repoRoot().resolve("it/src/test/python").toString()));
      shared = new PythonEnvironment(PythonVenv.vineyard(), scripts);
    }
    return shared;
  }

  /**
   * The venv's Python interpreter.
   *
   * @return the path
   */
  public Path python() {
    return venv.python();
  }

  /**
   * The reference {@code vineyardd} shipped in the {@code vineyard-bdist} wheel, if present.
   *
   * @return the executable, or empty when this platform's wheel does not ship it
   */
  public Optional<Path> referenceVineyardd() throws IOException {
    return venv.referenceVineyardd();
  }

  /**
   * The installed {@code vineyard} package's directory, where the wheel ships the upstream tests
   * (for example {@code io/tests/test_stream.py}) and their {@code conftest.py}.
   *
   * @return the directory
   * @throws IOException when the package is not installed
   */
  public Path packageDirectory() throws IOException {
    try (var versions = Files.list(venv.directory().resolve("lib"))) {
      return versions
          .map(v -> v.resolve("site-packages/vineyard"))
          .filter(p -> Files.isRegularFile(p.resolve("conftest.py")))
          .findFirst()
          .orElseThrow(() -> new IOException("no vineyard package with its tests in " + venv));
    }
  }

  /**
   * Runs upstream tests with pytest (installed into the venv on first use, pinned by {@code
   * cellar.python.pytest}), rooted at {@code rootdir} so that its {@code conftest.py} and options
   * apply.
   *
   * @param rootdir the pytest root (the vineyard package directory for the upstream tests)
   * @param tests the test file or directory
   * @param options more pytest arguments, for example {@code --vineyard-ipc-socket=...}
   * @return pytest's output
   * @throws AssertionError when pytest fails or runs over 10 minutes, with its output
   */
  public synchronized String runPytest(Path rootdir, Path tests, String... options)
      throws IOException, InterruptedException {
    try {
      run(List.of(python().toString(), "-c", "import pytest"), Map.of(), 60);
    } catch (IOException missing) {
      String pin = System.getProperty("cellar.python.pytest", "pytest==8.3.4");
      run(List.of(python().toString(), "-m", "pip", "install", "-q", pin), Map.of(), 600);
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                python().toString(),
                "-m",
                "pytest",
                "-p",
                "no:cacheprovider",
                "-q",
                "--rootdir=" + rootdir,
                tests.toString()));
    command.addAll(List.of(options));
    try {
      return run(command, Map.of("VINEYARD_IPC_SKIP_RETRY", "1"), 600);
    } catch (IOException e) {
      throw new AssertionError("pytest " + tests + " failed:\n" + e.getMessage(), e);
    }
  }

  /**
   * Runs a scenario script from {@code it/src/test/python}.
   *
   * @param script the file name, for example {@code numpy_roundtrip.py}
   * @param env extra environment variables (for example {@code VINEYARD_IPC_SOCKET})
   * @param args its arguments
   * @return the script's output (stdout and stderr)
   * @throws AssertionError when it exits non-zero or runs over 10 minutes, with its output
   */
  public String runScenario(String script, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(List.of(python().toString(), scripts.resolve(script).toString()));
    command.addAll(List.of(args));
    Map<String, String> environment = new java.util.HashMap<>(env);
    environment.putIfAbsent("VINEYARD_IPC_SKIP_RETRY", "1");
    environment.putIfAbsent("PYTHONUNBUFFERED", "1");
    try {
      return run(command, environment, 600);
    } catch (IOException e) {
      throw new AssertionError("python scenario " + script + " failed:\n" + e.getMessage(), e);
    }
  }

  /**
   * Starts a scenario script without waiting for it (for scenarios that block, such as a reader
   * waiting for a name).
   *
   * @param script the file name
   * @param env extra environment variables
   * @param args its arguments
   * @return the running process, its output merged and readable from {@link
   *     Process#getInputStream()}
   */
  public Process startScenario(String script, Map<String, String> env, String... args)
      throws IOException {
    List<String> command =
        new ArrayList<>(List.of(python().toString(), scripts.resolve(script).toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("VINEYARD_IPC_SKIP_RETRY", "1");
    builder.environment().put("PYTHONUNBUFFERED", "1");
    builder.environment().putAll(env);
    return builder.start();
  }

  private static String run(List<String> command, Map<String, String> env, long timeoutSeconds)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Path output = Files.createTempFile("cellar-python", ".log");
    builder.redirectOutput(output.toFile());
    Process process = builder.start();
    try {
      boolean done = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      String text = Files.readString(output, StandardCharsets.UTF_8);
      if (!done) {
        process.destroyForcibly();
        throw new IOException(
            String.join(" ", command) + " ran over " + timeoutSeconds + " s:\n" + text);
      }
      if (process.exitValue() != 0) {
        throw new IOException(
            String.join(" ", command) + " exited with " + process.exitValue() + ":\n" + text);
      }
      return text;
    } finally {
      Files.deleteIfExists(output);
    }
  }
}
