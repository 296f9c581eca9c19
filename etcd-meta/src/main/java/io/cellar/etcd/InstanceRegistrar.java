package io.cellar.etcd;

import io.cellar.core.meta.backend.InstanceFacts;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers an instance as the reference does ({@code registerToEtcd}): the id is {@code
 * /next_instance_id} (0 when absent), and the instance keys and {@code next_instance_id = id + 1}
 * are written in one transaction. The transaction compares {@code next_instance_id}'s mod revision
 * and the chosen id's {@code hostid} (absent), and is retried on a conflict; it also holds the
 * reference's {@code meta_sync_lock} (an etcd lock on the instance's lease), because a reference
 * instance registers by an unconditional write under that lock. The instance keys live on the
 * instance's lease.
 *
 * <p>On re-registration a preferred id is kept when no key of {@code /instances/i<id>/} exists.
 *
 * <p>Thread-safe (stateless between calls); {@link #register} blocks, bounded by its timeout.
 */
final class InstanceRegistrar {
  private static final Logger LOG = LoggerFactory.getLogger(InstanceRegistrar.class);

  private final EtcdCalls calls;
  private final KeyLayout layout;
  private final CommitLedger ledger;

  InstanceRegistrar(EtcdCalls calls, KeyLayout layout, CommitLedger ledger) {
    this.calls = calls;
    this.layout = layout;
    this.ledger = ledger;
  }

  /**
   * The outcome of a registration.
   *
   * @param instanceId the id taken
   * @param revision the registration's revision
   */
  record Registered(long instanceId, long revision) {}

  /**
   * Registers.
   *
   * @param facts what the instance publishes
   * @param preferredId the id to keep if free, or -1
   * @param lease the lease the instance keys live on
   * @param memberId the launched etcd member's id, or 0
   * @param timeout the bound of the whole registration
   * @return the id and revision
   * @throws CellarException (IOError) when etcd cannot be reached in time
   */
  Registered register(
      InstanceFacts facts, long preferredId, long lease, long memberId, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    ByteSequence lockKey =
        await(
                calls.client().getLockClient().lock(EtcdCalls.bytes(layout.syncLock()), lease),
                deadline,
                "taking " + layout.syncLock())
            .getKey();
    try {
      for (int attempt = 0; ; attempt++) {
        GetResponse next =
            await(
                calls.get(layout.nextInstanceId(), GetOption.DEFAULT, left(deadline)),
                deadline,
                "reading next_instance_id");
        long nextId = 0;
        long nextModRevision = 0;
        if (!next.getKvs().isEmpty()) {
          KeyValue kv = next.getKvs().get(0);
          nextModRevision = kv.getModRevision();
          nextId = OpCodec.unsigned(OpCodec.parse(kv.getValue().getBytes()));
        }
        long id = nextId;
        if (preferredId >= 0 && free(preferredId, deadline)) {
          id = preferredId;
        }
        List<EtcdWrite> writes =
            new ArrayList<>(InstanceFields.registration(layout, id, facts, memberId));
        List<Op> ops = new ArrayList<>();
        PutOption onLease = PutOption.builder().withLeaseId(lease).build();
        for (EtcdWrite w : writes) {
          ops.add(Op.put(EtcdCalls.bytes(w.key()), ByteSequence.from(w.value()), onLease));
        }
        EtcdWrite nextWrite =
            EtcdWrite.put(layout.nextInstanceId(), Long.toUnsignedString(Math.max(nextId, id + 1)));
        ops.add(
            Op.put(
                EtcdCalls.bytes(nextWrite.key()),
                ByteSequence.from(nextWrite.value()),
                PutOption.DEFAULT));
        writes.add(nextWrite);
        List<Cmp> when =
            List.of(
                new Cmp(
                    EtcdCalls.bytes(layout.nextInstanceId()),
                    Cmp.Op.EQUAL,
                    CmpTarget.modRevision(nextModRevision)),
                new Cmp(
                    EtcdCalls.bytes(layout.instanceField(id, InstanceFields.HOSTID)),
                    Cmp.Op.EQUAL,
                    CmpTarget.version(0)));
        long seq = ledger.begin();
        TxnResponse response;
        try {
          response =
              await(calls.txn(when, ops, List.of(), left(deadline)), deadline, "registering");
        } catch (CellarException e) {
          ledger.uncertain(seq, writes);
          throw e;
        }
        if (response.isSucceeded()) {
          ledger.succeeded(seq, response.getHeader().getRevision(), writes);
          LOG.info(
              "registered as instance {} at revision {}", id, response.getHeader().getRevision());
          return new Registered(id, response.getHeader().getRevision());
        }
        ledger.uncertain(seq, List.of());
        LOG.debug("registration conflict (attempt {}), retrying", attempt);
      }
    } finally {
      try {
        calls.client().getLockClient().unlock(lockKey).get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn(
            "could not release {} (its lease frees it): {}",
            lockKey.toString(StandardCharsets.UTF_8),
            e.toString());
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private boolean free(long id, long deadline) {
    GetResponse r =
        await(
            calls.get(
                layout.instance(id),
                GetOption.builder().isPrefix(true).withCountOnly(true).build(),
                left(deadline)),
            deadline,
            "checking instance " + id);
    return r.getCount() == 0;
  }

  private static Duration left(long deadline) {
    return Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
  }

  static <T> T await(CompletableFuture<T> future, long deadline, String what) {
    try {
      return future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new CellarException(StatusCode.IO_ERROR, "etcd did not answer in time " + what, e);
    } catch (ExecutionException e) {
      throw new CellarException(
          StatusCode.IO_ERROR,
          "etcd failed " + what + ": " + Committer.unwrap(e.getCause()),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CellarException(StatusCode.IO_ERROR, "interrupted " + what, e);
    }
  }
}
