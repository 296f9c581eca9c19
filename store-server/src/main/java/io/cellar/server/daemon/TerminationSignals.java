package io.cellar.server.daemon;

import io.cellar.posix.ProcessCalls;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns SIGTERM and SIGINT into an orderly shutdown that ends with status 0, as vineyardd does (the
 * JVM's default exit status for a signal is 128 + signal number). The first signal starts {@code
 * System.exit(0)}, so the shutdown hooks close the server and the store; the last hook then ends
 * the process with {@link #exitNow(int)}. A second signal, or an orderly shutdown that has not
 * ended after {@link #FORCE_AFTER}, ends the process at once with 128 + signal number.
 *
 * <p>Why {@code _exit(2)} and not the JVM's own exit: the JVM's exit path does more work after the
 * hooks, and some of it cannot be interrupted by any signal. With the launcher's {@code
 * -XX:+AutoCreateSharedArchive}, a stale or missing class-data archive (the jar was rebuilt) is
 * dumped at exit: several seconds of a busy process that ignores further signals, well after the
 * socket file was removed. The daemon owns nothing the JVM's exit path would still release (its
 * shared memory, sockets and files are closed by the hooks), so it leaves with {@code _exit}.
 *
 * <p>Uses {@code sun.misc.Signal} from {@code jdk.unsupported} reflectively; when it is missing the
 * JVM's default handling stays. Call {@link #install()} once from the main thread; the handler runs
 * on the JVM's signal-handling threads.
 */
final class TerminationSignals {
  /** How long an orderly shutdown may take before the process is ended anyway. */
  static final Duration FORCE_AFTER = Duration.ofSeconds(20);

  private static final AtomicInteger SIGNALS = new AtomicInteger();

  private TerminationSignals() {}

  /**
   * Installs the handlers.
   *
   * @return true when the SIGTERM handler is installed
   */
  static boolean install() {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      Method number = signal.getMethod("getNumber");
      InvocationHandler onSignal =
          (Object proxy, Method method, Object[] args) -> {
            if (method.getName().equals("handle")) {
              onSignal((Integer) number.invoke(args[0]));
              return null;
            }
            return switch (method.getName()) {
              case "hashCode" -> System.identityHashCode(proxy);
              case "equals" -> proxy == args[0];
              default -> "cellar-termination-handler";
            };
          };
      Object handler =
          Proxy.newProxyInstance(
              TerminationSignals.class.getClassLoader(), new Class<?>[] {handlerType}, onSignal);
      Method handle = signal.getMethod("handle", signal, handlerType);
      handle.invoke(null, signal.getConstructor(String.class).newInstance("TERM"), handler);
      try {
        handle.invoke(null, signal.getConstructor(String.class).newInstance("INT"), handler);
      } catch (ReflectiveOperationException | RuntimeException e) {
        // SIGINT ignored by the parent (a background job): keep it ignored
      }
      return true;
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      return false;
    }
  }

  private static void onSignal(int signo) {
    if (SIGNALS.getAndIncrement() > 0) {
      System.err.println("vineyardd: second signal " + signo + ", exiting without cleanup");
      exitNow(128 + signo);
      return;
    }
    // exit from fresh threads: System.exit waits for the hooks and must not hold the signal
    // thread, which has to deliver a second signal meanwhile
    Thread.ofPlatform()
        .daemon()
        .name("cellar-exit-deadline")
        .start(
            () -> {
              try {
                Thread.sleep(FORCE_AFTER); // a deadline, not synchronisation
              } catch (InterruptedException e) {
                return;
              }
              System.err.println("vineyardd: shutdown took over " + FORCE_AFTER + ", exiting");
              exitNow(128 + signo);
            });
    Thread.ofPlatform().name("cellar-exit").start(() -> System.exit(0));
  }

  /**
   * Ends the process now with {@code _exit(2)}: no more hooks, no JVM exit work (see the class
   * comment). Standard output and error are flushed first. Falls back to {@link Runtime#halt} when
   * native access is not enabled.
   *
   * @param status the exit status
   */
  static void exitNow(int status) {
    System.out.flush();
    System.err.flush();
    try {
      ProcessCalls.exit(status);
    } catch (RuntimeException | LinkageError e) {
      // native access not enabled: fall back below
    }
    Runtime.getRuntime().halt(status);
  }
}
