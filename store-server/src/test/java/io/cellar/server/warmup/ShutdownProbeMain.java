package io.cellar.server.warmup;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM for {@link ThrowawayServerShutdownTest}: starts a throwaway server, exits, and
 * reports from a shutdown hook of its own what a warm-up would see while the JVM ends.
 */
final class ShutdownProbeMain {
  private ShutdownProbeMain() {}

  /**
   * Prints "before=&lt;closedByShutdown&gt;", then exits; the hook prints "start=&lt;the exception
   * class a new start throws&gt;" and "closed=&lt;closedByShutdown once the server's own hook
   * closed it&gt;".
   *
   * @param args none
   * @throws IOException when the server cannot start
   */
  public static void main(String[] args) throws IOException {
    ThrowawayServer server = ThrowawayServer.start(false);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try (ThrowawayServer late = ThrowawayServer.start(false)) {
                    System.out.println("start=started " + late.socket());
                  } catch (IOException | RuntimeException e) {
                    System.out.println("start=" + e.getClass().getSimpleName());
                  }
                  // the hooks run concurrently: wait for the server's own to have closed it
                  long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                  while (!server.closedByShutdown() && System.nanoTime() < end) {
                    Thread.onSpinWait();
                  }
                  System.out.println("closed=" + server.closedByShutdown());
                }));
    System.out.println("before=" + server.closedByShutdown());
    System.exit(0);
  }
}
