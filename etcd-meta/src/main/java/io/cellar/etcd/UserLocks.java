package io.cellar.etcd;

import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The clients' locks ({@code acquire_lock_request}, {@code release_lock_request}) as etcd keys
 * {@code <prefix>/S…/user_locks/<key>}, which the watch ignores: a lock is held while its key
 * exists; it is created only when absent (a compare on its create revision) on the instance's
 * lease, so a dead holder's locks vanish with it; it is released only by the holder (a compare on
 * the value, the holder's lease id).
 *
 * <p>Thread-safe; both calls block, bounded by the timeout.
 */
final class UserLocks {
  private final EtcdCalls calls;
  private final KeyLayout layout;
  private final LongSupplier lease;
  private final Duration timeout;

  UserLocks(EtcdCalls calls, KeyLayout layout, LongSupplier lease, Duration timeout) {
    this.calls = calls;
    this.layout = layout;
    this.lease = lease;
    this.timeout = timeout;
  }

  String tryLock(String key) {
    long held = lease.getAsLong();
    if (held == 0) {
      throw new CellarException(StatusCode.IO_ERROR, "not registered: no lease to hold a lock on");
    }
    ByteSequence k = EtcdCalls.bytes(layout.userLock(normalise(key)));
    TxnResponse r =
        run(
            List.of(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(0))),
            List.of(
                Op.put(
                    k,
                    ByteSequence.from(
                        Long.toHexString(held).getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                    PutOption.builder().withLeaseId(held).build())),
            "locking " + key);
    return r.isSucceeded() ? normalise(key) : null;
  }

  boolean unlock(String key) {
    ByteSequence k = EtcdCalls.bytes(layout.userLock(normalise(key)));
    ByteSequence mine =
        ByteSequence.from(
            Long.toHexString(lease.getAsLong()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return run(
            List.of(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.value(mine))),
            List.of(Op.delete(k, DeleteOption.DEFAULT)),
            "unlocking " + key)
        .isSucceeded();
  }

  private TxnResponse run(List<Cmp> when, List<Op> then, String what) {
    return InstanceRegistrar.await(
        calls.txn(when, then, List.of(), timeout), System.nanoTime() + timeout.toNanos(), what);
  }

  /** A lock key as a logical key: with a leading slash, as the reference's are. */
  private static String normalise(String key) {
    return key.startsWith("/") ? key : "/" + key;
  }
}
