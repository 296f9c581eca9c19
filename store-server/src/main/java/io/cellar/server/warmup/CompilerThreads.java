package io.cellar.server.warmup;

import io.cellar.posix.ProcessCalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The JVM's JIT compiler threads, found by their kernel names in {@code /proc/self/task/<tid>/comm}
 * ({@code C1 CompilerThre}, {@code C2 CompilerThre}: HotSpot's {@code C1 CompilerThread0} cut to 15
 * characters), so that the daemon can run its compilations at a background priority once it
 * listens: on a node where a pipeline step runs beside a starting daemon, the JIT then takes the
 * CPU the step leaves, and on an idle node it runs as before. Threads the JVM adds later are
 * started by a compiler thread and inherit its nice value.
 *
 * <p>Stateless and thread-safe.
 */
final class CompilerThreads {
  private static final Path TASKS = Path.of("/proc/self/task");

  private CompilerThreads() {}

  /**
   * The kernel thread ids of this process's JIT compiler threads.
   *
   * @return their ids, empty when {@code /proc} is not readable
   */
  static List<Integer> ids() {
    List<Integer> ids = new ArrayList<>();
    try (Stream<Path> tasks = Files.list(TASKS)) {
      for (Path task : tasks.toList()) {
        String name;
        try {
          name = Files.readString(task.resolve("comm"), StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
          continue; // the thread ended meanwhile
        }
        if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
          ids.add(Integer.parseInt(task.getFileName().toString()));
        }
      }
    } catch (IOException | UncheckedIOException e) {
      return List.of();
    }
    return ids;
  }

  /**
   * Sets the compiler threads' nice value.
   *
   * @param nice the nice value
   * @return how many threads were changed
   */
  static int renice(int nice) {
    int changed = 0;
    for (int tid : ids()) {
      if (ProcessCalls.setThreadNice(tid, nice)) {
        changed++;
      }
    }
    return changed;
  }
}
