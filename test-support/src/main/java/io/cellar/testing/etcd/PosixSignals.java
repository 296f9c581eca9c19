package io.cellar.testing.etcd;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Sends POSIX signals to a process by pid through {@code kill(1)}: the JDK can only terminate a
 * process, not pause ({@code SIGSTOP}) or resume ({@code SIGCONT}) it.
 *
 * <p>Stateless and thread-safe.
 */
public final class PosixSignals {
  private PosixSignals() {}

  /**
   * Pauses a process ({@code SIGSTOP}).
   *
   * @param pid the process id
   */
  public static void stop(long pid) {
    send(pid, "STOP");
  }

  /**
   * Resumes a paused process ({@code SIGCONT}).
   *
   * @param pid the process id
   */
  public static void resume(long pid) {
    send(pid, "CONT");
  }

  /**
   * Kills a process at once ({@code SIGKILL}); it gets no chance to clean up.
   *
   * @param pid the process id
   */
  public static void kill(long pid) {
    send(pid, "KILL");
  }

  private static void send(long pid, String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException("kill -" + signal + " " + pid + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted sending " + signal + " to " + pid, e);
    }
  }
}
