package io.cellar.testing.k8s;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The component processes of one control plane, in start order: launched with their logs in the
 * work directory, watched for an early death, stopped all at once.
 *
 * <p>Thread safety: safe from any thread (a copy-on-write list); {@link #stopAll} is meant to be
 * called once.
 */
final class ProcessGroup {
  private final List<LoggedProcess> processes = new CopyOnWriteArrayList<>();

  /**
   * Starts a component and adds it to the group.
   *
   * @param name its name (also its log's name)
   * @param command the command line
   * @param layout the work directory (its working directory, log dir and {@code HOME})
   */
  void launch(String name, List<String> command, PlaneLayout layout) {
    processes.add(
        LoggedProcess.start(
            name,
            command,
            layout.root(),
            layout.log(name),
            Map.of("HOME", layout.home().toString())));
  }

  /**
   * Starts a process with a work directory, log and environment of its own and adds it to the
   * group.
   *
   * @param name its name
   * @param command the command line
   * @param workDir its working directory
   * @param log its log file
   * @param env variables to set on top of this JVM's environment
   */
  void launch(String name, List<String> command, Path workDir, Path log, Map<String, String> env) {
    processes.add(LoggedProcess.start(name, command, workDir, log, env));
  }

  /**
   * Stops one process of the group (SIGTERM, SIGKILL after {@code grace}).
   *
   * @param name its name
   * @param grace how long SIGTERM gets
   * @throws IllegalStateException if it survives
   */
  void stop(String name, Duration grace) throws InterruptedException {
    for (LoggedProcess p : processes) {
      if (p.name().equals(name)) {
        p.stop(grace);
      }
    }
  }

  /** Each component's pid, in start order. */
  Map<String, Long> pids() {
    Map<String, Long> pids = new LinkedHashMap<>();
    processes.forEach(p -> pids.put(p.name(), p.pid()));
    return pids;
  }

  /** Each component's log file, in start order. */
  Map<String, Path> logs() {
    Map<String, Path> logs = new LinkedHashMap<>();
    processes.forEach(p -> logs.put(p.name(), p.log()));
    return logs;
  }

  /**
   * The first component that has exited, described with the tail of its log; null while all run.
   * Used to stop waiting for a plane that can no longer come up.
   */
  String firstDeath() {
    return processes.stream()
        .map(LoggedProcess::deathNote)
        .filter(Objects::nonNull)
        .findFirst()
        .orElse(null);
  }

  /**
   * The last lines of every log, each under a header with the component, its pid and whether it
   * still runs.
   *
   * @param lines lines per component
   * @return the tails
   */
  String tails(int lines) {
    StringBuilder out = new StringBuilder();
    for (LoggedProcess p : processes) {
      out.append("===== ")
          .append(p.name())
          .append(" (pid ")
          .append(p.pid())
          .append(p.isAlive() ? ", running" : ", exited")
          .append("): last ")
          .append(lines)
          .append(" lines of ")
          .append(p.log())
          .append(" =====\n")
          .append(p.tail(lines))
          .append('\n');
    }
    return out.toString();
  }

  /**
   * Stops every process in parallel (one virtual thread each: SIGTERM, SIGKILL after {@code grace})
   * and waits for all of them.
   *
   * @param grace how long SIGTERM gets
   * @return what went wrong, empty when every process is gone
   */
  List<RuntimeException> stopAll(Duration grace) {
    List<RuntimeException> failures = new CopyOnWriteArrayList<>();
    List<Thread> stoppers = new ArrayList<>();
    for (LoggedProcess p : processes) {
      stoppers.add(
          Thread.ofVirtual()
              .name("stop-" + p.name())
              .start(
                  () -> {
                    try {
                      p.stop(grace);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    } catch (RuntimeException e) {
                      failures.add(e);
                    }
                  }));
    }
    try {
      for (Thread stopper : stoppers) {
        stopper.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failures.add(new IllegalStateException("interrupted while stopping the control plane"));
    }
    List<String> survivors =
        processes.stream()
            .filter(LoggedProcess::isAlive)
            .map(p -> p.name() + " (pid " + p.pid() + ")")
            .toList();
    if (!survivors.isEmpty()) {
      failures.add(new IllegalStateException("still running after stop: " + survivors));
    }
    return List.copyOf(failures);
  }
}
