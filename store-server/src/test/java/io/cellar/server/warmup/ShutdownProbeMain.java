package io.cellar.server.warmup;

/**
 * A child JVM for {@link ThrowawayServerShutdownTest}: prints what {@link
 * ThrowawayServer#jvmShuttingDown()} says before exit and inside a shutdown hook.
 */
final class ShutdownProbeMain {
  private ShutdownProbeMain() {}

  /**
   * Prints "before=&lt;answer&gt;", then exits; the hook prints "during=&lt;answer&gt;".
   *
   * @param args none
   */
  public static void main(String[] args) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> System.out.println("during=" + ThrowawayServer.jvmShuttingDown())));
    System.out.println("before=" + ThrowawayServer.jvmShuttingDown());
    System.exit(0);
  }
}
