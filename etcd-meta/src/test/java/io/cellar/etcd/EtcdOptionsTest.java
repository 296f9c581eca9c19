package io.cellar.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.protocol.CellarException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EtcdOptionsTest {
  @Test
  void defaultsAreVineyarddsAndOurs() {
    EtcdOptions o = EtcdOptions.from(Map.of());
    assertEquals(List.of(URI.create("http://127.0.0.1:2379")), o.endpoints());
    assertEquals("vineyard", o.prefix());
    assertEquals(Duration.ofSeconds(60), o.metaTimeout());
    assertEquals(Duration.ofSeconds(10), o.leaseTtl());
    assertEquals(Duration.ofSeconds(10), o.heartbeatInterval());
    assertTrue(o.skipLaunchEtcd());
  }

  @Test
  void endpointsAreACommaSeparatedList() {
    EtcdOptions o =
        EtcdOptions.from(
            Map.of(
                "etcd_endpoint",
                "http://a:1, 127.0.0.1:2",
                "meta_timeout",
                "0.5",
                "skip_launch_etcd",
                "false"));
    assertEquals(
        List.of(URI.create("http://a:1"), URI.create("http://127.0.0.1:2")), o.endpoints());
    assertEquals(Duration.ofMillis(500), o.metaTimeout());
    assertEquals(false, o.skipLaunchEtcd());
    assertThrows(
        CellarException.class, () -> EtcdOptions.from(Map.of("etcd_endpoint", "http://nohost")));
    assertThrows(CellarException.class, () -> EtcdOptions.from(Map.of("meta_timeout", "-1")));
  }

  @Test
  void theProviderIsFoundByName() {
    var provider =
        java.util.ServiceLoader.load(io.cellar.core.meta.backend.MetaBackendProvider.class).stream()
            .map(java.util.ServiceLoader.Provider::get)
            .filter(p -> p.name().equals("etcd"))
            .findFirst();
    assertTrue(provider.isPresent());
  }
}
