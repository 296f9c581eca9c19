package io.cellar.it;

import org.junit.jupiter.api.extension.RegisterExtension;

/** The Python scenarios against Cellar's server. */
class PythonOnCellarIT extends PythonScenarios {
  @RegisterExtension static final VineyarddServer SERVER = VineyarddServer.cellar("2G");

  @Override
  VineyarddServer server() {
    return SERVER;
  }
}
