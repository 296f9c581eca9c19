package io.cellar.it;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code vineyard} Python client for interop tests: a virtual environment at {@code
 * <repo>/build/venv} with the pinned packages ({@code vineyard}, {@code numpy}, {@code pandas}; the
 * pins live in the root pom and arrive as {@code cellar.python.requirements}), created on first use
 * and reused while the pins match. Runs scenario scripts from {@code it/src/test/python}.
 *
 * <p>Thread-safe: creation holds a file lock, so concurrent test JVMs install once.
 */
public final class PythonEnvironment {
  private static final String MARKER = ".cellar-requirements";
  private static PythonEnvironment shared;

  private final Path venv;
  private final Path scripts;

  private PythonEnvironment(Path venv, Path scripts) {
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
      Path root =
          Path.of(System.getProperty("cellar.repo.root", "..")).toAbsolutePath().normalize();
      Path scripts =
          Path.of(
              System.getProperty(
                  "cellar.python.dir", root.resolve("it/src/test/python").toString()));
      String requirements =
          System.getProperty(
              "cellar.python.requirements", "vineyard==0.24.2 numpy==2.4.6 pandas==2.2.3");
      Path venv = root.resolve("build/venv");
      ensure(venv, requirements);
      shared = new PythonEnvironment(venv, scripts);
    }
    return shared;
  }

  @SuppressWarnings("try") // the lock is held by the try block, not used in it
  private static void ensure(Path venv, String requirements)
      throws IOException, InterruptedException {
    Files.createDirectories(venv.getParent());
    Path lockFile = venv.getParent().resolve("venv.lock");
    try (RandomAccessFile raf = new RandomAccessFile(lockFile.toFile(), "rw");
        FileLock lock = raf.getChannel().lock()) {
      Path marker = venv.resolve(MARKER);
      Path python = venv.resolve("bin/python");
      if (Files.isExecutable(python)
          && Files.exists(marker)
          && Files.readString(marker).strip().equals(requirements)) {
        return;
      }
      if (!Files.isExecutable(python)) {
        run(List.of("python3", "-m", "venv", venv.toString()), Map.of(), 300);
      }
      List<String> pip = new ArrayList<>(List.of(python.toString(), "-m", "pip", "install", "-q"));
      pip.addAll(List.of(requirements.split("\\s+")));
      run(pip, Map.of(), 1800);
      Files.writeString(marker, requirements + "\n");
    }
  }

  /**
   * The venv's Python interpreter.
   *
   * @return the path
   */
  public Path python() {
    return venv.resolve("bin/python");
  }

  /**
   * The reference {@code vineyardd} shipped in the {@code vineyard-bdist} wheel, if present.
   *
   * @return the executable, or empty when this platform's wheel does not ship it
   */
  public Optional<Path> referenceVineyardd() throws IOException {
    Path lib = venv.resolve("lib");
    if (!Files.isDirectory(lib)) {
      return Optional.empty();
    }
    try (var versions = Files.list(lib)) {
      return versions
          .map(v -> v.resolve("site-packages/vineyard/bdist/vineyardd"))
          .filter(Files::isExecutable)
          .findFirst();
    }
  }

  /**
   * The installed {@code vineyard} package's directory, where the wheel ships the upstream tests
   * (for example {@code io/tests/test_stream.py}) and their {@code conftest.py}.
   *
   * @return the directory
   * @throws IOException when the package is not installed
   */
  public Path packageDirectory() throws IOException {
    try (var versions = Files.list(venv.resolve("lib"))) {
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
