package io.cellar.testing.daemon;

import io.cellar.testing.JavaCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * How to launch a vineyardd: the program and its leading arguments, to which the daemon's flags are
 * appended. Three ways: Cellar's main class from this JVM's class path ({@link #cellarMain}),
 * Cellar's packaged launcher {@code bin/vineyardd} ({@link #cellarLauncher}), or the reference
 * binary ({@link #reference}).
 *
 * <p>Immutable and thread-safe.
 */
public final class DaemonCommand {
  /** Cellar's daemon entry point. */
  public static final String MAIN_CLASS = "io.cellar.server.daemon.Vineyardd";

  /** The JVM options {@link #cellarMain()} uses: a small heap, the serial collector. */
  public static final List<String> DEFAULT_JVM_OPTIONS =
      List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:-UsePerfData");

  private final DaemonKind kind;
  private final List<String> prefix;

  private DaemonCommand(DaemonKind kind, List<String> prefix) {
    this.kind = kind;
    this.prefix = List.copyOf(prefix);
  }

  /**
   * Cellar's daemon run from this JVM's class path ({@code java.class.path}) with {@link
   * #DEFAULT_JVM_OPTIONS}.
   *
   * @return the command
   */
  public static DaemonCommand cellarMain() {
    return cellarMain(DEFAULT_JVM_OPTIONS);
  }

  /**
   * Cellar's daemon run from this JVM's class path, on this JVM's {@code java}, with native access
   * enabled and the given JVM options.
   *
   * @param jvmOptions options before the main class, for example {@code -Xmx96m}
   * @return the command
   */
  public static DaemonCommand cellarMain(List<String> jvmOptions) {
    return new DaemonCommand(DaemonKind.CELLAR, JavaCommand.of(jvmOptions, MAIN_CLASS, List.of()));
  }

  /**
   * Cellar's packaged launcher.
   *
   * @param script {@code bin/vineyardd}
   * @return the command
   */
  public static DaemonCommand cellarLauncher(Path script) {
    return new DaemonCommand(DaemonKind.CELLAR, List.of(script.toAbsolutePath().toString()));
  }

  /**
   * The reference vineyardd.
   *
   * @param binary its executable
   * @return the command
   */
  public static DaemonCommand reference(Path binary) {
    return new DaemonCommand(DaemonKind.REFERENCE, List.of(binary.toAbsolutePath().toString()));
  }

  /**
   * Cellar's launcher, if it can run: {@code $CELLAR_VINEYARDD} when set, else {@code
   * bin/vineyardd} under the repository root (system property {@code cellar.repo.root}) or the
   * working directory or one of its parents, provided the server is packaged there ({@code
   * store-server/target/store-server-*.jar} and {@code target/lib}).
   *
   * @return the launcher script, or empty
   */
  public static Optional<Path> findLauncher() {
    String configured = System.getenv("CELLAR_VINEYARDD");
    if (configured != null && !configured.isEmpty()) {
      return Optional.of(Path.of(configured));
    }
    List<Path> roots = new ArrayList<>();
    String root = System.getProperty("cellar.repo.root");
    if (root != null) {
      roots.add(Path.of(root).toAbsolutePath().normalize());
    }
    for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
      roots.add(at);
    }
    for (Path at : roots) {
      Path script = at.resolve("bin/vineyardd");
      if (Files.isExecutable(script) && isPackaged(at)) {
        return Optional.of(script);
      }
    }
    return Optional.empty();
  }

  /**
   * Whether the server is packaged in a repository checkout, as {@code bin/vineyardd} needs.
   *
   * @param repoRoot the checkout
   * @return true when the jar and its {@code lib/} exist
   */
  public static boolean isPackaged(Path repoRoot) {
    Path target = repoRoot.resolve("store-server/target");
    if (!Files.isDirectory(target.resolve("lib"))) {
      return false;
    }
    try (Stream<Path> files = Files.list(target)) {
      return files.anyMatch(
          p -> {
            String name = p.getFileName().toString();
            return name.startsWith("store-server-")
                && name.endsWith(".jar")
                && !name.endsWith("-sources.jar")
                && !name.endsWith("-tests.jar");
          });
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /**
   * The same daemon, started through a wrapper that ends by exec'ing the daemon's command (which it
   * receives as its trailing arguments), e.g. {@code sh -c 'echo $$ > "$0"; exec "$@"'
   * /sys/fs/cgroup/.../cgroup.procs} to start it inside a cgroup.
   *
   * @param wrapper the wrapper's command, before the daemon's
   * @return the wrapped command (the same kind)
   */
  public DaemonCommand wrappedBy(List<String> wrapper) {
    List<String> cmd = new ArrayList<>(wrapper);
    cmd.addAll(prefix);
    return new DaemonCommand(kind, cmd);
  }

  /**
   * Which daemon this runs.
   *
   * @return the kind
   */
  public DaemonKind kind() {
    return kind;
  }

  /**
   * The full command line.
   *
   * @param flags the daemon's flags
   * @return a new list: the program, its leading arguments, then {@code flags}
   */
  public List<String> command(List<String> flags) {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(flags);
    return cmd;
  }

  @Override
  public String toString() {
    return kind + " " + String.join(" ", prefix.subList(0, Math.min(1, prefix.size())));
  }
}
