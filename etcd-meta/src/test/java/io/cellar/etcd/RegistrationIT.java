package io.cellar.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.core.meta.backend.InstanceRecord;
import io.cellar.core.meta.backend.Registration;
import io.cellar.testing.etcd.EtcdCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Registration on a real etcd: ids from {@code next_instance_id}, the reference's instance keys.
 */
class RegistrationIT {
  @RegisterExtension static final EtcdCluster ETCD = EtcdCluster.single();

  @Test
  void threeInstancesGetZeroOneTwoAndExactlyTheReferencesKeys() {
    try (Backends backends = new Backends(ETCD.endpoints())) {
      EtcdMetaBackend a = backends.open();
      EtcdMetaBackend b = backends.open();
      EtcdMetaBackend c = backends.open();
      Registration ra = a.register(Backends.facts(0));
      Registration rb = b.register(Backends.facts(1));
      Registration rc = c.register(Backends.facts(2));
      assertEquals(List.of(0L, 1L, 2L), List.of(ra.instanceId(), rb.instanceId(), rc.instanceId()));
      assertTrue(ra.alive() && rb.alive() && rc.alive());

      String root = backends.root();
      Map<String, EtcdKeys.Kv> keys = EtcdKeys.under(ETCD, backends.prefix());
      Set<String> expected = new TreeSet<>();
      expected.add(root + "/next_instance_id");
      for (int i = 0; i < 3; i++) {
        for (String field :
            List.of("hostid", "hostname", "nodename", "rpc_endpoint", "ipc_socket", "timestamp")) {
          expected.add(root + "/instances/i" + i + "/" + field);
        }
      }
      assertEquals(expected, keys.keySet(), "the keys registration leaves");
      assertEquals("3", keys.get(root + "/next_instance_id").value());
      assertEquals(
          0, keys.get(root + "/next_instance_id").lease(), "next_instance_id has no lease");
      for (int i = 0; i < 3; i++) {
        String p = root + "/instances/i" + i + "/";
        assertEquals(Long.toString(1000 + i), keys.get(p + "hostid").value(), "hostid: a number");
        assertEquals("\"host" + i + "\"", keys.get(p + "hostname").value());
        assertEquals("\"node" + i + "\"", keys.get(p + "nodename").value());
        assertEquals("\"host" + i + ":" + (9600 + i) + "\"", keys.get(p + "rpc_endpoint").value());
        assertEquals("\"/tmp/cellar-" + i + ".sock\"", keys.get(p + "ipc_socket").value());
        long ts = Long.parseLong(keys.get(p + "timestamp").value());
        long seconds = ts >>> 32;
        assertTrue(
            Math.abs(seconds - System.currentTimeMillis() / 1000) < 60, "(sec << 32) + usec");
        long lease = keys.get(p + "hostid").lease();
        assertNotEquals(0, lease, "instance keys live on a lease");
        for (String field :
            List.of("hostname", "nodename", "rpc_endpoint", "ipc_socket", "timestamp")) {
          assertEquals(lease, keys.get(p + field).lease(), field + " on the same lease");
        }
      }

      List<InstanceRecord> seen = a.load().instances();
      assertEquals(List.of(0L, 1L, 2L), seen.stream().map(InstanceRecord::instanceId).toList());
      assertEquals(Backends.facts(2), seen.get(2).facts());
    }
  }

  @Test
  void aClosedInstanceIsLostToTheOthersAndItsKeysAreGone() {
    try (Backends backends = new Backends(ETCD.endpoints())) {
      EtcdMetaBackend a = backends.open();
      EtcdMetaBackend b = backends.open();
      a.register(Backends.facts(0));
      b.register(Backends.facts(1));
      RecordingListener la = new RecordingListener();
      a.watch(a.load().revision(), la);
      b.close();
      la.await(
          "instance 1 lost",
          Duration.ofSeconds(5),
          calls -> calls.contains(new RecordingListener.Lost(1, 0)) || !la.losses().isEmpty());
      assertEquals(1, la.losses().get(0).instanceId());
      assertTrue(
          EtcdKeys.under(ETCD, backends.root() + "/instances/i1/").isEmpty(), "i1's keys are gone");
    }
  }

  @Test
  void aPrefixWithoutLeadingSlashIsUsedVerbatimAsTheReferenceDoes() {
    String prefix = "vineyard-noslash-" + ProcessHandle.current().pid();
    try (EtcdMetaBackend a =
        EtcdMetaBackend.open(
            Map.of(
                "etcd_endpoint", ETCD.endpoints(), "etcd_prefix", prefix, "etcd_lease_ttl", "3"))) {
      a.register(Backends.facts(0));
      assertEquals(prefix + "/S0000000000000000", a.keyPrefix());
      assertEquals(
          1, EtcdKeys.under(ETCD, prefix + "/S0000000000000000/instances/i0/hostid").size());
    }
  }

  @Test
  void concurrentRegistrationsGetDistinctIds() throws Exception {
    try (Backends backends = new Backends(ETCD.endpoints())) {
      List<EtcdMetaBackend> all = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        all.add(backends.open());
      }
      List<java.util.concurrent.CompletableFuture<Long>> ids = new java.util.ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        EtcdMetaBackend b = all.get(i);
        int n = i;
        ids.add(
            java.util.concurrent.CompletableFuture.supplyAsync(
                () -> b.register(Backends.facts(n)).instanceId()));
      }
      Set<Long> got = new TreeSet<>();
      for (var f : ids) {
        got.add(f.get());
      }
      assertEquals(Set.of(0L, 1L, 2L, 3L), got);
      assertEquals(
          "4",
          EtcdKeys.under(ETCD, backends.root() + "/next_instance_id")
              .values()
              .iterator()
              .next()
              .value());
    }
  }
}
