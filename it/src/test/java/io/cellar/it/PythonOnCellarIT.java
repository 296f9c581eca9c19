package io.cellar.it;

import io.cellar.testing.daemon.VineyarddExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Python scenarios against Cellar's server. */
class PythonOnCellarIT extends PythonScenarios {
  @RegisterExtension static final VineyarddExtension SERVER = Servers.cellar("2G");

  @Override
  VineyarddExtension server() {
    return SERVER;
  }
}
