package io.cellar.testing.python;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Python virtual environment for tests at {@code <repo>/build/venv-<name>}, holding the pinned
 * packages it was asked for.
 *
 * <p>{@link #ensure} creates it with {@code python3 -m venv} and {@code pip install}s the pins,
 * then records them in a marker file, {@value #MARKER}, inside the environment. A later call with
 * the same pins reuses it as it is; a call with other pins, or one that finds no marker (an install
 * that failed half way) or no interpreter, deletes the environment and builds it anew, so it never
 * holds packages of older pins. Separate environments for packages that conflict (kfp 1 and kfp 2,
 * say) get separate names.
 *
 * <p>Thread-safe: {@link #ensure} holds a lock per environment within the JVM and an exclusive lock
 * on {@code <repo>/build/venv-<name>.lock} across JVMs, so concurrent test JVMs install once and
 * never see a half-built environment; {@link #run} may be called from any thread.
 */
public final class PythonVenv {
  /** The file inside the environment that records the pins it was built with, one a line. */
  public static final String MARKER = ".cellar-requirements";

  /** The system property tests receive the repository root in (set by the module's pom). */
  public static final String REPO_ROOT_PROPERTY = "cellar.repo.root";

  /**
   * The system property with the pins of the {@code vineyard} environment (space-separated: the
   * {@code vineyard} client, numpy, pandas; the modules' poms fill it from the root pom).
   */
  public static final String VINEYARD_PINS_PROPERTY = "cellar.python.requirements";

  /** Where the {@code vineyard-bdist} wheel puts the reference vineyardd, below site-packages. */
  private static final String REFERENCE_BINARY = "vineyard/bdist/vineyardd";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Duration VENV_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration PIP_TIMEOUT = Duration.ofMinutes(30);
  private static final Map<Path, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();

  private final Path directory;
  private final List<String> requirements;

  private PythonVenv(Path directory, List<String> requirements) {
    this.directory = directory;
    this.requirements = requirements;
  }

  /**
   * The repository root, from the system property {@value #REPO_ROOT_PROPERTY}.
   *
   * @return the absolute, normalised path
   * @throws IllegalStateException when the property is not set
   */
  public static Path repoRoot() {
    String root = System.getProperty(REPO_ROOT_PROPERTY);
    if (root == null || root.isBlank()) {
      throw new IllegalStateException(
          "system property " + REPO_ROOT_PROPERTY + " is not set (the module's pom sets it)");
    }
    return Path.of(root).toAbsolutePath().normalize();
  }

  /**
   * The environment {@code <repoRoot>/build/venv-<name>} with exactly these pins, created or
   * rebuilt when it does not have them. Blocks while another thread or JVM builds it.
   *
   * @param repoRoot the repository root (see {@link #repoRoot()})
   * @param name the environment's name: letters, digits, {@code . _ -}
   * @param requirements pip requirement specifiers, for example {@code kfp==1.8.24}; none for an
   *     environment with the standard library only (created without pip)
   * @return the ready environment
   * @throws PythonScriptException when {@code venv} or {@code pip} fails (with its output)
   * @throws IOException when the files cannot be written
   * @throws InterruptedException when interrupted while waiting for a lock or a process
   */
  @SuppressWarnings("try") // the file lock is held for the block, not used in it
  public static PythonVenv ensure(Path repoRoot, String name, List<String> requirements)
      throws IOException, InterruptedException {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a venv name: '" + name + "'");
    }
    List<String> pins = List.copyOf(requirements);
    for (String pin : pins) {
      if (pin.isBlank() || pin.chars().anyMatch(Character::isWhitespace) || pin.startsWith("-")) {
        throw new IllegalArgumentException("not a requirement specifier: '" + pin + "'");
      }
    }
    Path build = repoRoot.toAbsolutePath().normalize().resolve("build");
    Path directory = build.resolve("venv-" + name);
    ReentrantLock local = IN_JVM.computeIfAbsent(directory, d -> new ReentrantLock());
    local.lockInterruptibly();
    try {
      Files.createDirectories(build);
      try (FileChannel channel =
              FileChannel.open(
                  build.resolve("venv-" + name + ".lock"),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE);
          FileLock held = channel.lock()) {
        build(directory, pins);
      }
    } finally {
      local.unlock();
    }
    return new PythonVenv(directory, pins);
  }

  /**
   * The environment of the real {@code vineyard} Python client, {@code build/venv-vineyard}, with
   * the pins of {@value #VINEYARD_PINS_PROPERTY}. It holds the reference vineyardd as well ({@link
   * #referenceVineyardd()}).
   *
   * @return the ready environment
   * @throws IllegalStateException when the property or the repository root is not set
   * @throws PythonScriptException when {@code venv} or {@code pip} fails (with its output)
   * @throws IOException when the files cannot be written
   * @throws InterruptedException when interrupted while waiting for a lock or a process
   */
  public static PythonVenv vineyard() throws IOException, InterruptedException {
    String pins = System.getProperty(VINEYARD_PINS_PROPERTY);
    if (pins == null || pins.isBlank()) {
      throw new IllegalStateException(
          "system property "
              + VINEYARD_PINS_PROPERTY
              + " is not set: run the test through Maven (the module's pom sets it)");
    }
    return ensure(repoRoot(), "vineyard", List.of(pins.strip().split("\\s+")));
  }

  /**
   * The reference C++ vineyardd the {@code vineyard-bdist} wheel installed in this environment.
   *
   * @return the executable, or empty when the environment has no such wheel (another platform)
   * @throws IOException when the environment cannot be listed
   */
  public Optional<Path> referenceVineyardd() throws IOException {
    Path lib = directory.resolve("lib");
    if (!Files.isDirectory(lib)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(lib)) {
      return versions
          .map(v -> v.resolve("site-packages").resolve(REFERENCE_BINARY))
          .filter(Files::isExecutable)
          .findFirst();
    }
  }

  private static void build(Path directory, List<String> pins)
      throws IOException, InterruptedException {
    String wanted = markerText(pins);
    Path marker = directory.resolve(MARKER);
    if (Files.isExecutable(python(directory))
        && Files.isRegularFile(marker)
        && Files.readString(marker, StandardCharsets.UTF_8).equals(wanted)) {
      return;
    }
    deleteTree(directory);
    if (pins.isEmpty()) { // nothing to install: no pip either (much quicker to create)
      exec(
          List.of("python3", "-m", "venv", "--without-pip", directory.toString()),
          Map.of(),
          VENV_TIMEOUT);
    } else {
      exec(List.of("python3", "-m", "venv", directory.toString()), Map.of(), VENV_TIMEOUT);
      List<String> pip =
          new ArrayList<>(
              List.of(
                  python(directory).toString(),
                  "-m",
                  "pip",
                  "install",
                  "--quiet",
                  "--disable-pip-version-check"));
      pip.addAll(pins);
      exec(pip, Map.of(), PIP_TIMEOUT);
    }
    Path partial = directory.resolve(MARKER + ".partial");
    Files.writeString(partial, wanted, StandardCharsets.UTF_8);
    Files.move(partial, marker, StandardCopyOption.ATOMIC_MOVE);
  }

  private static String markerText(List<String> pins) {
    StringBuilder text = new StringBuilder();
    for (String pin : pins) {
      text.append(pin).append('\n');
    }
    return text.toString();
  }

  private static void deleteTree(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  private static Path python(Path directory) {
    return directory.resolve("bin/python");
  }

  /**
   * The environment's directory, {@code <repo>/build/venv-<name>}.
   *
   * @return the path
   */
  public Path directory() {
    return directory;
  }

  /**
   * The environment's interpreter.
   *
   * @return {@code <directory>/bin/python}
   */
  public Path python() {
    return python(directory);
  }

  /**
   * The pins the environment holds.
   *
   * @return the requirement specifiers, as given to {@link #ensure}
   */
  public List<String> requirements() {
    return requirements;
  }

  /**
   * Runs the environment's interpreter with these arguments and waits for it. The process gets this
   * JVM's environment plus {@code PYTHONUNBUFFERED=1} (output in order) and {@code
   * PYTHONDONTWRITEBYTECODE=1} (no {@code __pycache__} left in the source tree), then {@code env},
   * and runs in this JVM's working directory.
   *
   * @param timeout how long it may run; then it and its children are killed
   * @param env more environment variables, or overrides
   * @param args the interpreter's arguments, for example a script's path and its options
   * @return what it printed: stdout and stderr merged
   * @throws PythonScriptException when it exits non-zero or runs over the timeout, with its output
   * @throws IOException when it cannot be started
   * @throws InterruptedException when interrupted while waiting (the process is killed)
   */
  public String run(Duration timeout, Map<String, String> env, List<String> args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(python().toString());
    command.addAll(args);
    Map<String, String> environment = new HashMap<>();
    environment.put("PYTHONUNBUFFERED", "1");
    environment.put("PYTHONDONTWRITEBYTECODE", "1");
    environment.putAll(env);
    return exec(command, environment, timeout);
  }

  /**
   * {@link #run(Duration, Map, List)} with no extra environment.
   *
   * @param timeout how long it may run
   * @param args the interpreter's arguments
   * @return what it printed: stdout and stderr merged
   * @throws PythonScriptException when it exits non-zero or runs over the timeout, with its output
   * @throws IOException when it cannot be started
   * @throws InterruptedException when interrupted while waiting (the process is killed)
   */
  public String run(Duration timeout, String... args) throws IOException, InterruptedException {
    return run(timeout, Map.of(), List.of(args));
  }

  private static String exec(List<String> command, Map<String, String> env, Duration timeout)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("cellar-python", ".log");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(env);
      Process process = builder.start();
      boolean finished;
      try {
        finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        kill(process);
        throw e;
      }
      if (!finished) {
        kill(process);
      }
      // not readString: a process may print bytes that are not UTF-8; they become U+FFFD here
      String output = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
      if (!finished) {
        throw new PythonScriptException(command, null, "ran over " + timeout, output);
      }
      if (process.exitValue() != 0) {
        throw new PythonScriptException(
            command, process.exitValue(), "exited with " + process.exitValue(), output);
      }
      return output;
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static void kill(Process process) throws InterruptedException {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    process.waitFor();
  }
}
