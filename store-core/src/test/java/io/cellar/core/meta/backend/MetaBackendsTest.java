package io.cellar.core.meta.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.core.meta.local.LocalMetaBackend;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetaBackendsTest {
  @Test
  void localIsFoundThroughTheServiceLoader() {
    assertTrue(MetaBackends.providers().containsKey("local"));
    try (MetaBackend backend = MetaBackends.open("local", Map.of())) {
      assertTrue(backend instanceof LocalMetaBackend);
      assertEquals(0, backend.register(InstanceFacts.NONE).instanceId());
    }
    try (MetaBackend backend = MetaBackends.open("local", Map.of("instance_id", "4"))) {
      assertEquals(4, backend.register(InstanceFacts.NONE).instanceId());
    }
  }

  @Test
  void anUnknownNameNamesTheKnownBackends() {
    CellarException e =
        assertThrows(CellarException.class, () -> MetaBackends.open("zookeeper", Map.of()));
    assertEquals(StatusCode.INVALID, e.status());
    assertTrue(e.getMessage().contains("'zookeeper'"), e.getMessage());
    assertTrue(e.getMessage().contains("known backends: local"), e.getMessage());
  }

  @Test
  void aBadInstanceIdIsAClearError() {
    CellarException e =
        assertThrows(
            CellarException.class, () -> MetaBackends.open("local", Map.of("instance_id", "x")));
    assertEquals(StatusCode.INVALID, e.status());
  }
}
