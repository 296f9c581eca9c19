package io.cellar.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a child JVM that runs a main class from this JVM's class path, on this JVM's
 * {@code java}, with native access enabled (the project's FFM bindings need it).
 *
 * <p>Stateless and thread-safe.
 */
public final class JavaCommand {
  private JavaCommand() {}

  /**
   * The command.
   *
   * @param jvmOptions options before the main class, for example {@code -Xmx96m}
   * @param mainClass the class to run
   * @param args its arguments
   * @return {@code java --enable-native-access=ALL-UNNAMED <options> -cp <class path> <main>
   *     <args>}
   */
  public static List<String> of(List<String> jvmOptions, String mainClass, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(args);
    return List.copyOf(cmd);
  }
}
