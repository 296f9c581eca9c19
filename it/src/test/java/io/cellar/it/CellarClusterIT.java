package io.cellar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.client.IpcClient;
import io.cellar.testing.daemon.DaemonKind;
import io.cellar.testing.etcd.EtcdCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three Cellar {@code bin/vineyardd} on one etcd, driven by the real {@code vineyard} Python client
 * ({@code cluster.py}): every instance lists the others; values persisted and named on A are found
 * by name on B and C (waiting for it when asked to), with A's instance id, and read bit-exact with
 * {@code get(fetch=True)} (the blobs pulled from A over RPC); data frames both ways; a delete on A
 * is seen on B; objects never persisted stay on their instance.
 */
@Timeout(600)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CellarClusterIT {
  @RegisterExtension static final EtcdCluster ETCD = EtcdCluster.single();

  private static final String PREFIX = "/cellar-it-cluster";
  private static VineyarddFleet fleet;

  @BeforeAll
  static void startThree() throws Exception {
    fleet =
        VineyarddFleet.start(ETCD, PREFIX, DaemonKind.CELLAR, DaemonKind.CELLAR, DaemonKind.CELLAR);
  }

  @AfterAll
  static void stop() {
    if (fleet != null) {
      fleet.close();
    }
  }

  private static String python(String... args) throws Exception {
    String output = PythonEnvironment.get().runScenario("cluster.py", Map.of(), args);
    assertTrue(output.contains("OK "), output);
    return output;
  }

  @Test
  @Order(1)
  void everyInstanceListsEveryOtherWithItsEndpoints() throws Exception {
    python("members", "distributed", fleet.socket(0), fleet.socket(1), fleet.socket(2));
    for (int i = 0; i < 3; i++) {
      try (IpcClient c = IpcClient.connect(Path.of(fleet.socket(i)))) {
        assertEquals(i, c.server().instanceId(), "started in order, registered in order");
        assertEquals(
            "127.0.0.1:" + fleet.get(i).rpcPort(),
            c.clusterMeta().path("i" + i).path("rpc_endpoint").asText());
      }
    }
  }

  @Test
  @Order(2)
  void persistedArraysAndFramesAreReadBitExactOnTheOtherInstances() throws Exception {
    python("share", "share/", fleet.socket(0), fleet.socket(1), fleet.socket(2));
  }

  @Test
  @Order(3)
  void getNameWaitsForANameAnotherInstanceBinds() throws Exception {
    Process waiter =
        PythonEnvironment.get()
            .startScenario(
                "cluster.py",
                Map.of(),
                "wait",
                fleet.socket(2),
                "late/x",
                "vineyard::Tensor<int64>");
    try (IpcClient c = IpcClient.connect(Path.of(fleet.socket(2)))) {
      // the waiter's request is parked on C before anything is bound
      Deadline.await(
          "the get_name(wait=True) parked on C",
          Duration.ofSeconds(60),
          () -> c.instanceStatus().deferredRequests() >= 1);
    }
    python("put", fleet.socket(0), "late/x");
    assertTrue(waiter.waitFor(60, TimeUnit.SECONDS), "the waiter did not return");
    String out = new String(waiter.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, waiter.exitValue(), out);
    assertTrue(out.contains("OK wait"), out);
  }

  @Test
  @Order(4)
  void objectsNeverPersistedStayOnTheirInstance() throws Exception {
    python("transient", fleet.socket(0), fleet.socket(1));
    python("transient", fleet.socket(2), fleet.socket(0));
  }

  @Test
  @Order(5)
  void aDeleteOnAIsSeenOnB() throws Exception {
    python("delete", "del/", fleet.socket(0), fleet.socket(1));
  }

  @Test
  @Order(6)
  void theKeysAreTheReferenceLayout() {
    TreeMap<String, String> keys = fleet.keys();
    String session = PREFIX + "/S0000000000000000/";
    assertEquals("3", keys.get(session + "next_instance_id"), keys.toString());
    for (int i = 0; i < 3; i++) {
      for (String field :
          new String[] {
            "hostid", "hostname", "nodename", "rpc_endpoint", "ipc_socket", "timestamp"
          }) {
        assertTrue(keys.containsKey(session + "instances/i" + i + "/" + field), i + "/" + field);
      }
      assertEquals(
          "\"127.0.0.1:" + fleet.get(i).rpcPort() + "\"",
          keys.get(session + "instances/i" + i + "/rpc_endpoint"));
    }
    // the name share/f64 ("~1" escapes "/") points to an object whose JSON is under data/
    String id = keys.get(session + "names/share~1f64");
    assertTrue(id != null && id.matches("[0-9]+"), keys.toString());
    String object =
        keys.get(
            session + "data/" + io.cellar.protocol.ObjectIds.toText(Long.parseUnsignedLong(id)));
    assertTrue(
        object != null && object.contains("\"typename\":\"vvineyard::Tensor<double>\""), object);
    assertEquals(
        "\"vshare~1f64\"",
        keys.get(
            session
                + "data/"
                + io.cellar.protocol.ObjectIds.toText(Long.parseUnsignedLong(id))
                + "/__name"));
    // the deleted object's keys are gone, and nothing transient was written
    assertTrue(keys.keySet().stream().noneMatch(k -> k.contains("/names/del~1")), keys.toString());
  }
}
