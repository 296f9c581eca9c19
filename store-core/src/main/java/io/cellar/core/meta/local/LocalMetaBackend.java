package io.cellar.core.meta.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.meta.backend.InstanceFacts;
import io.cellar.core.meta.backend.InstanceRecord;
import io.cellar.core.meta.backend.MetaBackend;
import io.cellar.core.meta.backend.MetaListener;
import io.cellar.core.meta.backend.MetaOp;
import io.cellar.core.meta.backend.MetaSnapshot;
import io.cellar.core.meta.backend.Registration;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The in-memory backend of {@code vineyardd --meta=local}: one instance (id 0 unless given), no
 * other instance to share with, and commits that are map updates completing at once. It keeps what
 * was committed (so {@link #load} shows it, as a restart of a shared backend would) and counts a
 * revision per commit; its watch never delivers anything, since nobody else commits.
 *
 * <p><b>Threading.</b> Thread-safe: every method synchronizes on this backend for a map update or
 * copy; nothing blocks and every future is complete when returned. Objects handed in are copied,
 * objects handed out are copies.
 */
public final class LocalMetaBackend implements MetaBackend {
  /** The {@code --meta} value of this backend. */
  public static final String NAME = "local";

  private record SignatureKey(long instanceId, long signature) {}

  private final long instanceId;
  private final Map<Long, ObjectNode> objects = new HashMap<>();
  private final Map<String, Long> names = new TreeMap<>();
  private final Map<SignatureKey, Long> signatures = new LinkedHashMap<>();
  private final Set<String> userLocks = new HashSet<>();
  private long revision;
  private InstanceRecord self;
  private volatile boolean closed;

  /** A backend for instance 0, the id vineyardd uses with local metadata. */
  public LocalMetaBackend() {
    this(0);
  }

  /**
   * A backend for a given instance id.
   *
   * @param instanceId the id {@link #register} assigns
   */
  public LocalMetaBackend(long instanceId) {
    this.instanceId = instanceId;
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Registers the one instance. A second call returns the same registration with the new facts.
   *
   * @param facts what this instance publishes
   * @return a registration, alive until {@link #close}
   * @throws CellarException AlreadyStopped when closed
   */
  @Override
  public synchronized Registration register(InstanceFacts facts) {
    requireOpen();
    self = new InstanceRecord(instanceId, facts, System.currentTimeMillis());
    return new Registration() {
      @Override
      public long instanceId() {
        return instanceId;
      }

      @Override
      public boolean alive() {
        return !closed;
      }
    };
  }

  @Override
  public synchronized MetaSnapshot load() {
    requireOpen();
    Map<Long, ObjectNode> copies = new HashMap<>();
    objects.forEach((id, o) -> copies.put(id, o.deepCopy()));
    List<MetaOp.PutSignature> sigs = new ArrayList<>();
    signatures.forEach(
        (k, id) -> sigs.add(new MetaOp.PutSignature(k.instanceId(), k.signature(), id)));
    return new MetaSnapshot(revision, copies, new TreeMap<>(names), List.copyOf(sigs), instances());
  }

  /**
   * Watches for other instances' changes: there are none, so nothing is ever delivered.
   *
   * @param afterRevision ignored
   * @param listener never called
   * @return a closer that does nothing
   */
  @Override
  public AutoCloseable watch(long afterRevision, MetaListener listener) {
    return () -> {};
  }

  /**
   * Applies the batch to the maps at once.
   *
   * @param ops the changes, in order
   * @return a completed future with the new revision, or a failed one (AlreadyStopped) once closed
   */
  @Override
  public synchronized CompletableFuture<Long> commit(List<MetaOp> ops) {
    if (closed) {
      return CompletableFuture.failedFuture(
          new CellarException(StatusCode.ALREADY_STOPPED, "the local metadata backend is closed"));
    }
    for (MetaOp op : ops) {
      switch (op) {
        case MetaOp.PutObject p -> objects.put(p.id(), p.persisted().deepCopy());
        case MetaOp.DeleteObject d -> objects.remove(d.id());
        case MetaOp.PutName p -> names.put(p.name(), p.id());
        case MetaOp.DropName d -> names.remove(d.name());
        case MetaOp.PutSignature p ->
            signatures.put(new SignatureKey(p.instanceId(), p.signature()), p.id());
      }
    }
    return CompletableFuture.completedFuture(++revision);
  }

  @Override
  public synchronized CompletableFuture<Long> sync() {
    return CompletableFuture.completedFuture(revision);
  }

  @Override
  public synchronized List<InstanceRecord> instances() {
    return self == null ? List.of() : List.of(self);
  }

  @Override
  public synchronized String tryLock(String key) {
    return userLocks.add(key) ? key : null;
  }

  @Override
  public synchronized boolean unlock(String key) {
    return userLocks.remove(key);
  }

  /** Ends the registration; later commits fail. Idempotent. */
  @Override
  public void close() {
    closed = true;
  }

  private void requireOpen() {
    if (closed) {
      throw new CellarException(StatusCode.ALREADY_STOPPED, "the local metadata backend is closed");
    }
  }
}
