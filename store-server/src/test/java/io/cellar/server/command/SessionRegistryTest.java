package io.cellar.server.command;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cellar.core.Store;
import io.cellar.core.config.StoreConfig;
import org.junit.jupiter.api.Test;

class SessionRegistryTest {
  @Test
  void closeAllClosesWhatTheConnectionsLeftOpenAndOnlyThat() {
    Store store = Store.open(StoreConfig.ofLimit(4L << 20));
    SessionRegistry registry = new SessionRegistry(store);
    ConnectionSession closedByItsConnection = registry.open(false);
    registry.open(true);
    registry.open(false);
    closedByItsConnection.close();
    assertEquals(2, registry.openCount());

    assertEquals(2, registry.closeAll());
    assertEquals(0, registry.openCount());
    assertEquals(0, registry.closeAll());
    assertDoesNotThrow(store::close);
  }
}
