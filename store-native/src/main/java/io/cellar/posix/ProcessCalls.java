package io.cellar.posix;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Process calls: {@code _exit(2)}, which ends the process at once without the JVM's exit work, and
 * {@code setpriority(2)} on the calling thread, which lowers a background thread's CPU share.
 *
 * <p>Stateless and thread-safe.
 */
public final class ProcessCalls {
  private static final MethodHandle EXIT =
      Downcall.plain("_exit", FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));

  private static final MethodHandle GETTID =
      Downcall.plain("gettid", FunctionDescriptor.of(ValueLayout.JAVA_INT));

  private static final MethodHandle SETPRIORITY =
      Downcall.plain(
          "setpriority",
          FunctionDescriptor.of(
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT));

  private static final int PRIO_PROCESS = 0;

  /** The nice value of Cellar's background threads (prefill, start-up warm-up): 10. */
  public static final int BACKGROUND_NICE = 10;

  private ProcessCalls() {}

  /**
   * Sets the calling thread's nice value ({@code setpriority(PRIO_PROCESS, gettid(), nice)}: on
   * Linux the nice value is per thread, and threads this one starts afterwards inherit it). Raising
   * it needs no privilege; lowering it again does, so a thread that serves clients must never call
   * this. A thread at nice 10 gets about a tenth of a core that a nice-0 thread also wants.
   *
   * @param nice the new nice value, -20 to 19
   * @return true when it was set
   */
  public static boolean setThreadNice(int nice) {
    try {
      int tid = (int) GETTID.invokeExact();
      return (int) SETPRIORITY.invokeExact(PRIO_PROCESS, tid, nice) == 0;
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }

  /**
   * Sets another thread's nice value ({@code setpriority(PRIO_PROCESS, tid, nice)}), for threads
   * the JVM starts itself (its JIT compiler threads), which no Java code runs on.
   *
   * @param tid the kernel's id of a thread of this process
   * @param nice the new nice value, -20 to 19
   * @return true when it was set
   */
  public static boolean setThreadNice(int tid, int nice) {
    try {
      return (int) SETPRIORITY.invokeExact(PRIO_PROCESS, tid, nice) == 0;
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }

  /**
   * The calling thread's id as the kernel knows it ({@code gettid()}).
   *
   * @return the thread id
   */
  public static int threadId() {
    try {
      return (int) GETTID.invokeExact();
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }

  /**
   * Ends the process now with {@code _exit(status)}: no shutdown hooks, no finalisation, no JVM
   * exit work. Never returns.
   *
   * @param status the exit status
   */
  public static void exit(int status) {
    try {
      EXIT.invokeExact(status);
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }
}
