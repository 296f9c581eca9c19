package io.cellar.it;

import io.cellar.testing.daemon.DaemonCommand;
import io.cellar.testing.daemon.VineyarddExtension;
import io.cellar.testing.daemon.VineyarddProcess;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The daemons of it/'s tests, through test-support's one harness: Cellar's server from this test
 * class path (the classes {@code bin/vineyardd} runs), or the reference C++ vineyardd from the
 * {@code vineyard-bdist} wheel in the test venv ({@link PythonEnvironment}). With {@code
 * -Dcellar.it.server=reference} every Cellar test runs against the reference instead, to check the
 * test itself.
 *
 * <p>Stateless and thread-safe.
 */
final class Servers {
  /** JVM options of Cellar's test daemon. */
  static final List<String> JVM_OPTIONS = List.of("-Xmx128m", "-XX:+UseSerialGC");

  private Servers() {}

  /**
   * Whether the Cellar tests are asked to run against the reference.
   *
   * @return true with {@code -Dcellar.it.server=reference}
   */
  static boolean referenceRequested() {
    return "reference".equals(System.getProperty("cellar.it.server"));
  }

  /**
   * Cellar's server for a test class.
   *
   * @param size the {@code --size} value, for example {@code 1G}
   * @param flags more flags (dropped when the reference runs instead)
   * @return the extension
   */
  static VineyarddExtension cellar(String size, String... flags) {
    if (referenceRequested()) {
      return reference(size);
    }
    return VineyarddExtension.starting(
        () ->
            VineyarddProcess.builder(DaemonCommand.cellarMain(JVM_OPTIONS))
                .size(size)
                .flags(flags));
  }

  /**
   * The reference server for a test class; the class is skipped where the wheel ships none.
   *
   * @param size the {@code --size} value
   * @return the extension
   */
  static VineyarddExtension reference(String size) {
    return VineyarddExtension.starting(
        () -> VineyarddProcess.builder(referenceCommand()).size(size));
  }

  /**
   * The reference binary's command; skips the calling test where the wheel ships none.
   *
   * @return the command
   * @throws Exception when the venv cannot be set up
   */
  static DaemonCommand referenceCommand() throws Exception {
    Optional<Path> binary = PythonEnvironment.get().referenceVineyardd();
    Assumptions.assumeTrue(
        binary.isPresent(), "the vineyard-bdist wheel ships no vineyardd for this platform");
    return DaemonCommand.reference(binary.get());
  }
}
