package io.cellar.posix;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Process calls: {@code _exit(2)}, which ends the process at once without the JVM's exit work.
 *
 * <p>Stateless and thread-safe.
 */
public final class ProcessCalls {
  private static final MethodHandle EXIT =
      Downcall.plain("_exit", FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));

  private ProcessCalls() {}

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
