package io.cellar.core.meta.backend;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where an instance shares metadata with the rest of the cluster ({@code --meta}). The local
 * backend keeps it in memory and answers at once; the etcd backend keeps the reference's key layout
 * in etcd so that Cellar and reference instances form one cluster.
 *
 * <p><b>Life cycle.</b> {@link #register} once, then {@link #load} the snapshot, then {@link
 * #watch} from its revision; {@link #commit} at any time after {@code register}; {@link #close}
 * last (it ends the registration: other instances see this one leave).
 *
 * <p><b>Threading.</b> Implementations are thread-safe. {@link #commit} and {@link #sync} never
 * block the caller: they return futures that complete on a backend thread (so an event loop may
 * call them and answer the client when the future completes). {@link #register} and {@link #load}
 * block (start-up only), bounded by the backend's timeout.
 *
 * <p><b>Failures.</b> A commit that cannot reach the backend within its timeout completes
 * exceptionally with a {@link io.cellar.protocol.CellarException} (MetaTreeInvalid, or IOError with
 * the cause); it never hangs. Local work never waits on a commit.
 */
public interface MetaBackend extends AutoCloseable {
  /**
   * The backend's name, as given to {@code --meta}.
   *
   * @return for example {@code "local"} or {@code "etcd"}
   */
  String name();

  /**
   * Registers this instance and assigns its id.
   *
   * @param facts what this instance publishes
   * @return the registration
   * @throws io.cellar.protocol.CellarException when the backend cannot be reached in time
   */
  Registration register(InstanceFacts facts);

  /**
   * The whole shared metadata now.
   *
   * @return the snapshot
   * @throws io.cellar.protocol.CellarException when the backend cannot be reached in time
   */
  MetaSnapshot load();

  /**
   * Starts delivering other instances' changes after a revision, in order, without gaps or
   * duplicates (across reconnects).
   *
   * @param afterRevision the revision already applied (a snapshot's)
   * @param listener where the changes go
   * @return closes the watch
   */
  AutoCloseable watch(long afterRevision, MetaListener listener);

  /**
   * Commits a batch of changes atomically where the backend can (etcd: transactions of at most 127
   * operations; a larger batch is split in order). Batches are applied in the order of the calls
   * that submitted them, even while earlier ones are still in flight: the engine computes each
   * batch from its tree under its lock and submits them in that order, so a backend that reordered
   * them would keep a stale value (a label set twice, a name moved and moved back).
   *
   * @param ops the changes, in order; not changed, and not retained past completion
   * @return the revision of the (last) commit
   */
  CompletableFuture<Long> commit(List<MetaOp> ops);

  /**
   * Completes once every change committed anywhere in the cluster before this call has been
   * delivered to the watch listener ({@code sync_remote}). No polling: the local backend completes
   * at once.
   *
   * @return the revision reached
   */
  CompletableFuture<Long> sync();

  /**
   * The registered instances, this one included.
   *
   * @return the records, by instance id
   */
  List<InstanceRecord> instances();

  /**
   * Takes a user lock ({@code acquire_lock_request}) if it is free.
   *
   * @param key the lock key
   * @return the actual key held (the backend may qualify it), or null when someone holds it
   */
  String tryLock(String key);

  /**
   * Releases a user lock ({@code release_lock_request}).
   *
   * @param key the actual key returned by {@link #tryLock(String)}
   * @return true when it was held and is now released
   */
  boolean unlock(String key);

  /** Ends the registration and releases connections, leases and threads. Idempotent. */
  @Override
  void close();
}
