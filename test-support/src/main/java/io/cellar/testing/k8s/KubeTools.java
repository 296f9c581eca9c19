package io.cellar.testing.k8s;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The cached Kubernetes binaries (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl,
 * kubelet, etcd, etcdctl, kwok) and kwok's stage files, as built by {@code
 * test-support/k8s/build-tools.sh} into {@code ~/.cache/cellar-tools/k8s/<versions>/}.
 *
 * <p>{@link #locate()} looks, in order, at the system property {@value #DIR_PROPERTY}, the
 * environment variable {@value #DIR_ENV} (either names a built cache directory), and otherwise runs
 * build-tools.sh (found under the system property {@value #REPO_ROOT_PROPERTY} or by walking up
 * from the working directory), which returns at once when the cache is warm and builds it (about 13
 * minutes on two cores) when cold. If nothing works it throws with the reason: a test that needs a
 * control plane never skips silently.
 *
 * <p>Immutable. {@link #locate()} is synchronised and remembers its answer for the JVM.
 */
public final class KubeTools {
  /** System property naming a built tool directory (the one holding {@code bin/}). */
  public static final String DIR_PROPERTY = "cellar.k8s.tools";

  /** Environment variable naming a built tool directory. */
  public static final String DIR_ENV = "CELLAR_K8S_TOOLS";

  /** System property naming the root of the Cellar clone (where build-tools.sh lives). */
  public static final String REPO_ROOT_PROPERTY = "cellar.repo.root";

  /** The build script, relative to the clone's root. */
  public static final String SCRIPT = "test-support/k8s/build-tools.sh";

  private static final List<String> BINARIES =
      List.of(
          "kube-apiserver",
          "kube-controller-manager",
          "kube-scheduler",
          "kubectl",
          "kubelet",
          "etcd",
          "etcdctl",
          "kwok");

  private static final List<String> STAGES =
      List.of(
          "node-initialize.yaml",
          "node-heartbeat-with-lease.yaml",
          "pod-ready.yaml",
          "pod-complete.yaml",
          "pod-delete.yaml");

  private static final long BUILD_TIMEOUT_MINUTES = 90;
  private static final int OUTPUT_LINES_KEPT = 40;

  private static KubeTools located;

  private final Path dir;

  private KubeTools(Path dir) {
    this.dir = dir;
  }

  /**
   * Finds (or builds) the tools; see the class comment for the order.
   *
   * @return the tools
   * @throws IllegalStateException if they are neither found nor buildable, with the reason
   */
  public static synchronized KubeTools locate() {
    if (located == null) {
      String configured = System.getProperty(DIR_PROPERTY, System.getenv(DIR_ENV));
      if (configured != null && !configured.isBlank()) {
        located = at(Path.of(configured));
      } else {
        located = at(build(findScript(SCRIPT)));
      }
    }
    return located;
  }

  /**
   * Uses an already built tool directory.
   *
   * @param dir the directory holding {@code bin/}, {@code stages/} and {@code .complete}
   * @return the tools
   * @throws IllegalStateException if something is missing there
   */
  public static KubeTools at(Path dir) {
    List<String> missing = new ArrayList<>();
    if (!Files.isRegularFile(dir.resolve(".complete"))) {
      missing.add(".complete");
    }
    for (String binary : BINARIES) {
      if (!Files.isExecutable(dir.resolve("bin").resolve(binary))) {
        missing.add("bin/" + binary);
      }
    }
    for (String stage : STAGES) {
      if (!Files.isRegularFile(dir.resolve("stages").resolve(stage))) {
        missing.add("stages/" + stage);
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "the Kubernetes tool directory "
              + dir
              + " is incomplete (missing "
              + String.join(", ", missing)
              + "); build it with "
              + SCRIPT);
    }
    return new KubeTools(dir.toAbsolutePath().normalize());
  }

  /** The tool directory. */
  public Path dir() {
    return dir;
  }

  /**
   * A binary of the cache.
   *
   * @param name for instance {@code kubectl} or {@code kube-apiserver}
   * @return its path
   */
  public Path binary(String name) {
    if (!BINARIES.contains(name)) {
      throw new IllegalArgumentException("no such tool: " + name + " (have " + BINARIES + ")");
    }
    return dir.resolve("bin").resolve(name);
  }

  /** kwok's stock stage files (node-initialize, heartbeat-with-lease, pod-ready, ...). */
  public List<Path> kwokStages() {
    return STAGES.stream().map(s -> dir.resolve("stages").resolve(s)).toList();
  }

  /** Finds {@code relative} (a script of the clone) as the class comment says. */
  static Path findScript(String relative) {
    String root = System.getProperty(REPO_ROOT_PROPERTY);
    if (root != null && !root.isBlank()) {
      Path script = Path.of(root).resolve(relative);
      if (!Files.isRegularFile(script)) {
        throw new IllegalStateException(
            REPO_ROOT_PROPERTY + "=" + root + " but " + script + " does not exist");
      }
      return script;
    }
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path script = d.resolve(relative);
      if (Files.isRegularFile(script)) {
        return script;
      }
    }
    throw new IllegalStateException(
        "cannot find "
            + relative
            + " above "
            + Path.of("").toAbsolutePath()
            + "; set -D"
            + REPO_ROOT_PROPERTY
            + " to the Cellar clone, or -D"
            + DIR_PROPERTY
            + " (or $"
            + DIR_ENV
            + ") to a built tool directory");
  }

  /**
   * Runs a build script, relaying its progress (stderr) to this JVM's stderr.
   *
   * @param script the script
   * @param args its arguments
   * @return the directory it prints as its last line of stdout
   * @throws IllegalStateException if it fails, with the last lines of its progress
   */
  static Path build(Path script, String... args) {
    List<String> command = new ArrayList<>(List.of("bash", script.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.PIPE)
            .redirectError(ProcessBuilder.Redirect.PIPE);
    Deque<String> lastLines = new ArrayDeque<>();
    try {
      Process process = builder.start();
      Thread relay =
          Thread.ofVirtual().name("build-tools-progress").start(() -> relay(process, lastLines));
      String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(BUILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            script + " did not finish within " + BUILD_TIMEOUT_MINUTES + " minutes");
      }
      relay.join();
      List<String> lines = stdout.lines().filter(l -> !l.isBlank()).toList();
      if (process.exitValue() != 0 || lines.isEmpty()) {
        String tail;
        synchronized (lastLines) {
          tail = String.join("\n", lastLines);
        }
        throw new IllegalStateException(
            "could not build what the Kubernetes tests need: "
                + script
                + " exited with "
                + process.exitValue()
                + ". Run it by hand to see all of its output. Its last lines:\n"
                + tail);
      }
      return Path.of(lines.getLast());
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + script, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + script, e);
    }
  }

  private static void relay(Process process, Deque<String> lastLines) {
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        System.err.println(line);
        synchronized (lastLines) {
          lastLines.addLast(line);
          if (lastLines.size() > OUTPUT_LINES_KEPT) {
            lastLines.removeFirst();
          }
        }
      }
    } catch (IOException e) {
      System.err.println("(lost build-tools.sh output: " + e + ")");
    }
  }
}
