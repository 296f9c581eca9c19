package io.cellar.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The nice value of a thread of this process as the kernel reports it ({@code
 * /proc/self/task/<tid>/stat}, field 19): what tests of the background priorities check, read
 * independently of the code that set it.
 *
 * <p>Thread-safe (no state).
 */
public final class ThreadNice {
  private ThreadNice() {}

  /**
   * The nice value of this process's thread {@code tid}.
   *
   * @param tid the kernel's thread id
   * @return its nice value
   * @throws UncheckedIOException when there is no such thread
   */
  public static int of(int tid) {
    return fromStat(Path.of("/proc/self/task", Integer.toString(tid)));
  }

  /**
   * The nice value of this process's thread named {@code name} (its {@code comm}).
   *
   * @param name the thread's name as the kernel knows it (the first 15 bytes)
   * @return its nice value
   * @throws AssertionError when no thread has that name
   */
  public static int ofThreadNamed(String name) {
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        if (Files.readString(task.resolve("comm")).trim().equals(name)) {
          return fromStat(task);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new AssertionError("no thread named " + name);
  }

  private static int fromStat(Path task) {
    try {
      String stat = Files.readString(task.resolve("stat"));
      // after "pid (comm) " the fields start at 3 (state); nice is field 19
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Integer.parseInt(fields[19 - 3]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
