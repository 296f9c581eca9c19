package io.cellar.etcd;

import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Declares dead the instances that have no lease (reference instances, whose liveness is their
 * heartbeat) when their {@code timestamp} has not changed for {@value #MAX_TIMEOUT_COUNT}
 * consecutive checks, as the reference's {@code checkInstanceStatus} does, and deletes their
 * instance keys by a transaction that compares the stale timestamp's mod revision, so two checkers
 * never fight and a heartbeat that arrives meanwhile wins. Instances whose keys live on a lease
 * (Cellar's) are left to etcd: their keys vanish when the lease expires. Each check reads {@code
 * /instances/} from etcd, so a broken watch never makes a live instance look stale.
 *
 * <p>Confined to the backend thread ({@link #check} runs there).
 */
final class StaleInstanceReaper {
  static final int MAX_TIMEOUT_COUNT = 3;
  private static final Logger LOG = LoggerFactory.getLogger(StaleInstanceReaper.class);

  private final EtcdCalls calls;
  private final KeyLayout layout;
  private final LongSupplier self;
  private final Duration timeout;
  private final Map<Long, long[]> observed = new HashMap<>();

  StaleInstanceReaper(EtcdCalls calls, KeyLayout layout, LongSupplier self, Duration timeout) {
    this.calls = calls;
    this.layout = layout;
    this.self = self;
    this.timeout = timeout;
  }

  /** One check: reads the instances, counts unchanged timestamps, deletes the dead. */
  void check() {
    List<KeyValue> kvs;
    try {
      kvs =
          InstanceRegistrar.await(
                  calls.get(
                      layout.instances(), GetOption.builder().isPrefix(true).build(), timeout),
                  System.nanoTime() + timeout.toNanos(),
                  "reading instances")
              .getKvs();
    } catch (RuntimeException e) {
      LOG.debug("instance check skipped: {}", e.toString());
      return; // unknown is not stale
    }
    Map<Long, Long> timestampRevision = new HashMap<>();
    Set<Long> leaseless = new HashSet<>();
    Set<Long> present = new HashSet<>();
    for (KeyValue kv : kvs) {
      ParsedKey key = layout.parse(kv.getKey().toString());
      if (!(key instanceof ParsedKey.InstanceKey ik)) {
        continue;
      }
      present.add(ik.instanceId());
      if (ik.field().equals(InstanceFields.HOSTID) && kv.getLease() == 0) {
        leaseless.add(ik.instanceId());
      }
      if (ik.field().equals(InstanceFields.TIMESTAMP)) {
        timestampRevision.put(ik.instanceId(), kv.getModRevision());
      }
    }
    observed.keySet().retainAll(leaseless);
    for (long id : leaseless) {
      if (id == self.getAsLong()) {
        continue;
      }
      long revision = timestampRevision.getOrDefault(id, 0L);
      long[] seen = observed.computeIfAbsent(id, k -> new long[] {-1, 0});
      if (seen[0] == revision) {
        seen[1]++;
      } else {
        seen[0] = revision;
        seen[1] = 0;
      }
      if (seen[1] >= MAX_TIMEOUT_COUNT) {
        observed.remove(id);
        reap(id, revision);
      }
    }
  }

  private void reap(long id, long timestampModRevision) {
    LOG.warn(
        "instance {} timed out: its heartbeat has not changed for {} checks",
        id,
        MAX_TIMEOUT_COUNT);
    List<Op> deletes = new ArrayList<>();
    for (String field : InstanceFields.ALL) {
      deletes.add(
          Op.delete(EtcdCalls.bytes(layout.instanceField(id, field)), DeleteOption.DEFAULT));
    }
    Cmp unchanged =
        new Cmp(
            EtcdCalls.bytes(layout.instanceField(id, InstanceFields.TIMESTAMP)),
            Cmp.Op.EQUAL,
            CmpTarget.modRevision(timestampModRevision));
    calls
        .txn(List.of(unchanged), deletes, List.of(), timeout)
        .whenComplete(
            (r, t) -> {
              if (t != null) {
                LOG.warn("could not remove timed-out instance {}: {}", id, t.toString());
              } else if (!r.isSucceeded()) {
                LOG.info("instance {} changed meanwhile (or another instance removed it)", id);
              }
            });
  }
}
