package io.cellar.it;

import io.cellar.testing.daemon.VineyarddExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The same Python scenarios against the reference C++ vineyardd shipped in the {@code
 * vineyard-bdist} wheel (skipped, with the reason printed, where the wheel has none): a scenario
 * that passes here but fails on Cellar is a Cellar bug.
 */
class PythonOnReferenceIT extends PythonScenarios {
  @RegisterExtension static final VineyarddExtension SERVER = Servers.reference("2G");

  @Override
  VineyarddExtension server() {
    return SERVER;
  }
}
