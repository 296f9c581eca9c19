package io.cellar.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.core.meta.backend.MetaOp;
import io.cellar.testing.etcd.EtcdCluster;
import io.cellar.testing.etcd.PosixSignals;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Instance liveness: a Cellar instance killed with -9 is lost when its lease expires; one paused
 * for less than the TTL is not; a lease-less (reference) instance whose timestamp stops changing is
 * removed after 3 heartbeats.
 */
class LivenessIT {
  @RegisterExtension static final EtcdCluster ETCD = EtcdCluster.single();

  @ParameterizedTest(name = "lease TTL {0} s")
  @ValueSource(ints = {3, 10})
  void anInstanceKilledWithMinus9IsLostWithinTheTtl(int ttl) throws Exception {
    try (Backends backends =
        new Backends(ETCD.endpoints()).with("etcd_lease_ttl", Integer.toString(ttl))) {
      EtcdMetaBackend a = backends.open();
      a.register(Backends.facts(0));
      RecordingListener la = new RecordingListener();
      a.watch(a.load().revision(), la);
      try (ChildInstance child = new ChildInstance(backends.options())) {
        assertEquals(1, child.instanceId());
        long killed = System.nanoTime();
        child.kill9();
        la.await(
            "loss of instance 1", Duration.ofSeconds(ttl + 5), calls -> !la.losses().isEmpty());
        RecordingListener.Lost lost = la.losses().get(0);
        assertEquals(1, lost.instanceId());
        double seconds = (lost.atNanos() - killed) / 1e9;
        System.out.printf("kill -9 -> onInstanceLost: %.2f s (lease TTL %d s)%n", seconds, ttl);
        assertTrue(seconds <= ttl + 5, seconds + " s");
        assertEquals(1, la.losses().size(), "once");
        assertTrue(EtcdKeys.under(ETCD, backends.root() + "/instances/i1/").isEmpty());
      }
    }
  }

  @Test
  void anInstancePausedForLessThanTheTtlIsNotLost() throws Exception {
    try (Backends backends = new Backends(ETCD.endpoints()).with("etcd_lease_ttl", "6")) {
      EtcdMetaBackend a = backends.open();
      a.register(Backends.facts(0));
      RecordingListener la = new RecordingListener();
      a.watch(a.load().revision(), la);
      try (ChildInstance child = new ChildInstance(backends.options())) {
        PosixSignals.stop(child.pid());
        long paused = System.nanoTime();
        // the pause itself: a bounded wait in which no loss may be reported
        la.awaitAbsence(
            "a loss while paused", Duration.ofSeconds(3), calls -> !la.losses().isEmpty());
        PosixSignals.resume(child.pid());
        long revision = child.commitName("after-pause", 7);
        la.awaitOps(List.of(new MetaOp.PutName("after-pause", 7)), Duration.ofSeconds(10));
        // past the moment the lease would have expired had the keep-alives stopped for good
        Duration rest =
            Duration.ofNanos(paused + Duration.ofSeconds(6 + 2).toNanos() - System.nanoTime());
        la.awaitAbsence("a loss after the pause", rest, calls -> !la.losses().isEmpty());
        assertTrue(revision > 0);
        assertEquals(1, EtcdKeys.under(ETCD, backends.root() + "/instances/i1/hostid").size());
      }
    }
  }

  @Test
  void aLeaselessInstanceWhoseTimestampStaysIsRemovedAfterThreeChecks() throws Exception {
    try (Backends backends =
        new Backends(ETCD.endpoints()).with("etcd_heartbeat_interval", "0.3")) {
      EtcdMetaBackend a = backends.open();
      EtcdMetaBackend b = backends.open();
      a.register(Backends.facts(0));
      b.register(Backends.facts(1));
      RecordingListener la = new RecordingListener();
      RecordingListener lb = new RecordingListener();
      a.watch(a.load().revision(), la);
      b.watch(b.load().revision(), lb);
      String p = backends.root() + "/instances/i5/";
      ETCD.etcdctl("put", p + "hostid", "12345");
      ETCD.etcdctl("put", p + "hostname", "\"ref\"");
      ETCD.etcdctl("put", p + "timestamp", "7714486146722319723");
      la.await(
          "join of 5",
          Duration.ofSeconds(5),
          calls ->
              calls.stream()
                  .anyMatch(
                      c ->
                          c instanceof RecordingListener.Joined j
                              && j.instance().instanceId() == 5));
      la.await("loss of 5", Duration.ofSeconds(10), calls -> !la.losses().isEmpty());
      lb.await("loss of 5 on b", Duration.ofSeconds(10), calls -> !lb.losses().isEmpty());
      assertEquals(
          List.of(5L), la.losses().stream().map(RecordingListener.Lost::instanceId).toList());
      assertEquals(
          List.of(5L), lb.losses().stream().map(RecordingListener.Lost::instanceId).toList());
      assertTrue(EtcdKeys.under(ETCD, p).isEmpty(), "its keys are deleted");
      assertEquals(2, a.instances().size(), "the Cellar instances stay: " + a.instances());
    }
  }

  @Test
  void anInstancePausedForLongerThanTheTtlIsLostThenRegistersAgainWithItsId() throws Exception {
    try (Backends backends = new Backends(ETCD.endpoints()).with("etcd_lease_ttl", "2")) {
      EtcdMetaBackend a = backends.open();
      a.register(Backends.facts(0));
      RecordingListener la = new RecordingListener();
      a.watch(a.load().revision(), la);
      try (ChildInstance child = new ChildInstance(backends.options())) {
        PosixSignals.stop(child.pid());
        la.await("loss while paused", Duration.ofSeconds(2 + 5), calls -> !la.losses().isEmpty());
        PosixSignals.resume(child.pid());
        assertEquals("RESET 1", child.expect("RESET "), "the same id again");
        la.await(
            "join again",
            Duration.ofSeconds(10),
            calls ->
                calls.stream()
                    .anyMatch(
                        c ->
                            c instanceof RecordingListener.Joined j
                                && j.instance().instanceId() == 1));
        long revision = child.commitName("back", 8);
        la.awaitOps(List.of(new MetaOp.PutName("back", 8)), Duration.ofSeconds(10));
        assertTrue(revision > 0);
        assertEquals(1, la.losses().size());
        assertEquals(
            "2",
            EtcdKeys.under(ETCD, backends.root() + "/next_instance_id")
                .values()
                .iterator()
                .next()
                .value(),
            "no new id taken");
        // a second reset would take a new id: none comes
        child.commitName("still", 9);
        assertTrue(!child.output().contains("RESET 2"), child.output());
      }
    }
  }
}
