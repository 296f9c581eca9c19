package io.cellar.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.core.meta.backend.MetaOp;
import io.cellar.testing.FreePorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When the endpoint never answers, the backend launches a local etcd and stops it at close. */
class LauncherIT {
  @Test
  void anEndpointThatNeverAnswersGetsALocalEtcdThatStopsWithTheBackend() throws Exception {
    int port = FreePorts.next();
    URI launched;
    try (EtcdMetaBackend backend =
        EtcdMetaBackend.open(
            Map.of(
                "etcd_endpoint", "http://127.0.0.1:" + port,
                "etcd_prefix", "/launched",
                "meta_timeout", "30",
                "etcd_lease_ttl", "3"))) {
      assertEquals(0, backend.register(Backends.facts(0)).instanceId());
      launched = backend.launchedEtcd().orElseThrow();
      assertEquals(port, launched.getPort(), "on the endpoint's port, as the reference does");
      assertEquals("127.0.0.1", launched.getHost());
      long revision = backend.commit(List.of(new MetaOp.PutName("n", 1))).get();
      assertTrue(revision > 0);
      var snapshot = backend.load();
      assertEquals(Map.of("n", 1L), snapshot.names());
      assertTrue(reachable(launched), "the local etcd serves");
      try (io.etcd.jetcd.Client c = io.etcd.jetcd.Client.builder().endpoints(launched).build()) {
        var kvs =
            c.getKVClient()
                .get(EtcdCalls.bytes("/launched/S0000000000000000/instances/i0/member_id"))
                .get()
                .getKvs();
        assertEquals(1, kvs.size(), "a launching instance publishes its etcd member id");
        assertTrue(kvs.get(0).getValue().toString().matches("\"[0-9]+\""), "a decimal string");
      }
    }
    assertThrows(IOException.class, () -> connect(launched), "stopped with the backend");
  }

  private static boolean reachable(URI uri) {
    try {
      connect(uri);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void connect(URI uri) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 1000);
    }
  }
}
