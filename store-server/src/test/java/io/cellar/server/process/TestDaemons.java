package io.cellar.server.process;

import io.cellar.testing.daemon.DaemonCommand;
import io.cellar.testing.daemon.VineyarddExtension;
import io.cellar.testing.daemon.VineyarddProcess;
import java.util.List;

/**
 * How store-server's cross-process tests run the daemon (through test-support's one harness): the
 * main class from this module's class path, with a small heap, C1 only (these tests are short), and
 * Netty's paranoid leak detector, whose reports fail the class.
 *
 * <p>Stateless and thread-safe.
 */
final class TestDaemons {
  /** The JVM options of a test daemon. */
  static final List<String> JVM_OPTIONS =
      List.of(
          "-Xmx96m",
          "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1",
          "-Dio.netty.leakDetection.level=paranoid");

  private TestDaemons() {}

  /**
   * The launch command.
   *
   * @return the main class on this class path
   */
  static DaemonCommand command() {
    return DaemonCommand.cellarMain(JVM_OPTIONS);
  }

  /**
   * A daemon to start with the tests' defaults: {@code --size=256M}, RPC and metrics on free ports.
   *
   * @return the builder
   */
  static VineyarddProcess.Builder builder() {
    return VineyarddProcess.builder(command()).metrics();
  }

  /**
   * An extension running a daemon for a test class.
   *
   * @param size the {@code --size} value
   * @param flags more flags
   * @return the extension
   */
  static VineyarddExtension server(String size, String... flags) {
    return VineyarddExtension.starting(() -> builder().size(size).flags(flags));
  }
}
