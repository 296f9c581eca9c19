package io.cellar.server;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Turns SIGTERM and SIGINT into a normal {@code System.exit(0)}, so shutdown hooks run and the
 * process reports success, as vineyardd does (the JVM's default exit status for a signal is 128 +
 * signal number). Uses {@code sun.misc.Signal} from {@code jdk.unsupported} reflectively; when it
 * is missing the JVM's default handling stays.
 *
 * <p>Call once from the main thread; the handler runs on the JVM's signal thread.
 */
final class TerminationSignals {
  private TerminationSignals() {}

  /**
   * Installs the handlers.
   *
   * @return true when the SIGTERM handler is installed
   */
  static boolean exitZeroOnTermination() {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      InvocationHandler onSignal =
          (Object proxy, Method method, Object[] args) -> {
            if (method.getName().equals("handle")) {
              // exit from a fresh thread: System.exit waits for hooks and must not block the
              // signal thread should another signal arrive meanwhile
              Thread.ofPlatform().name("cellar-exit").start(() -> System.exit(0));
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
}
