package io.cellar.core.meta;

import io.cellar.core.meta.backend.InstanceRecord;
import io.cellar.core.meta.backend.MetaOp;
import io.cellar.core.meta.backend.MetaSnapshot;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectIds;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies what other instances share to a {@link MetaTree}: the snapshot loaded at start, then the
 * batches a backend's watch delivers, instance losses and backend resets. Other instances' objects
 * join the tree decoded from the reference's persisted encoding ({@link PersistedForm}); their blob
 * members keep their instance id, so they show in {@code get_data} trees as that instance's blobs
 * and have no memory here.
 *
 * <p><b>Order within a batch</b> (as the reference's {@code metaUpdate}): signatures, then objects
 * (in any order within the batch: links between them are resolved across it), then names, then
 * deleted objects, then dropped names.
 *
 * <p><b>Bad input is skipped, never thrown.</b> An object that is not in the encoding (garbage, a
 * truncated object without its {@code typename}, {@code instance_id} or {@code signature}), that
 * links to an object or signature nobody knows, or that claims an instance not in the cluster, is
 * logged and left out; so is a name for an unknown object, a signature or instance loss of an
 * unknown instance. The tree is never left half-changed by a bad op: each op is checked before it
 * changes anything.
 *
 * <p><b>Threading.</b> Thread-safe: each method holds the tree's lock for its in-memory update and
 * completes waiters and commits after releasing it. Meant for the backend's watch deliveries (one
 * at a time) plus the opening thread.
 */
public final class RemoteChanges {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteChanges.class);

  private final MetaTree tree;
  private final Set<Long> instances = new HashSet<>();

  /**
   * The remote side of a tree.
   *
   * @param tree the tree to apply changes to
   */
  public RemoteChanges(MetaTree tree) {
    this.tree = tree;
    instances.add(tree.instanceId());
  }

  /**
   * Applies a snapshot: the instances it lists, then everything in it, as one batch.
   *
   * @param snapshot the backend's shared metadata at start
   * @return the blobs of this instance to free (none, normally)
   */
  public DeleteResult load(MetaSnapshot snapshot) {
    List<MetaOp> ops = new ArrayList<>();
    // Instances that persisted objects (their signatures are filed under them) and are gone now:
    // their metadata stays in the backend, and the reference loads it (a restarted or a new
    // instance resolves the names and metadata of a departed one); so does this load, though later
    // changes claiming such an instance are refused as before.
    Set<Long> departed = new TreeSet<>(Long::compareUnsigned);
    synchronized (tree.lock) {
      for (InstanceRecord r : snapshot.instances()) {
        instances.add(r.instanceId());
      }
      for (MetaOp.PutSignature s : snapshot.signatures()) {
        if (s.instanceId() != ObjectIds.UNSPECIFIED_INSTANCE
            && !instances.contains(s.instanceId())) {
          departed.add(s.instanceId());
        }
      }
      instances.addAll(departed);
    }
    if (!departed.isEmpty()) {
      LOG.info(
          "loading the persisted metadata of departed instances {} as well",
          departed.stream().map(Long::toUnsignedString).toList());
    }
    ops.addAll(snapshot.signatures());
    snapshot.objects().forEach((id, o) -> ops.add(new MetaOp.PutObject(id, o)));
    snapshot.names().forEach((name, id) -> ops.add(new MetaOp.PutName(name, id)));
    try {
      return apply(ops);
    } finally {
      synchronized (tree.lock) {
        instances.removeAll(departed);
      }
    }
  }

  /**
   * Records that an instance joined, so that its objects are accepted.
   *
   * @param instanceId the instance
   */
  public void instanceJoined(long instanceId) {
    synchronized (tree.lock) {
      instances.add(instanceId);
    }
  }

  /**
   * Applies one batch of other instances' changes. Never throws for bad input.
   *
   * @param ops the changes, in commit order
   * @return the blobs of this instance that deleted objects held, which the caller must free
   */
  public DeleteResult apply(List<MetaOp> ops) {
    List<MetaOp.PutSignature> signatures = new ArrayList<>();
    Map<Long, MetaOp.PutObject> objects = new LinkedHashMap<>();
    List<MetaOp.PutName> names = new ArrayList<>();
    List<Long> deletes = new ArrayList<>();
    List<MetaOp.DropName> drops = new ArrayList<>();
    for (MetaOp op : ops == null ? List.<MetaOp>of() : ops) {
      switch (op) {
        case MetaOp.PutSignature p -> signatures.add(p);
        case MetaOp.PutObject p -> objects.put(p.id(), p);
        case MetaOp.PutName p -> names.add(p);
        case MetaOp.DeleteObject d -> deletes.add(d.id());
        case MetaOp.DropName d -> drops.add(d);
        case null -> LOG.warn("skipped a null metadata change");
      }
    }
    DeleteResult deleted;
    List<MetaWaiters.ObjectWaiter> ready;
    List<Map.Entry<String, Long>> named = new ArrayList<>();
    Map<CompletableFuture<Long>, Long> nameWaiters = new LinkedHashMap<>();
    List<MetaOp> discarded = new ArrayList<>();
    synchronized (tree.lock) {
      for (MetaOp.PutSignature p : signatures) {
        if (p.instanceId() == ObjectIds.UNSPECIFIED_INSTANCE // a global object's
            || knownInstance(
                p.instanceId(), "signature " + ObjectIds.signatureText(p.signature()))) {
          tree.table.signatures().put(p.instanceId(), p.signature(), p.id());
        }
      }
      putObjects(objects.values());
      for (MetaOp.PutName p : names) {
        StoredObject o = p.name() == null ? null : tree.table.find(p.id());
        if (o == null) {
          LOG.warn("skipped name '{}': no object {}", p.name(), ObjectIds.toText(p.id()));
          continue;
        }
        try {
          tree.table.putName(p.name(), o, discarded);
          named.add(Map.entry(p.name(), p.id()));
        } catch (CellarException e) {
          LOG.warn("skipped name '{}': {}", p.name(), e.getMessage());
        }
      }
      deleted = deleteLocked(deletes);
      for (MetaOp.DropName d : drops) {
        if (d.name() != null) {
          tree.table.dropName(d.name(), discarded);
        }
      }
      ready = tree.waiters.takeReady(tree::existsLocked);
      for (Map.Entry<String, Long> n : named) {
        tree.waiters.takeName(n.getKey()).forEach(f -> nameWaiters.put(f, n.getValue()));
      }
    }
    tree.completeObjects(ready);
    nameWaiters.forEach(CompletableFuture::complete);
    return deleted;
  }

  /**
   * Drops the objects that lived on a lost instance, the objects that refer to them (global
   * objects), their names and that instance's signatures. Nothing is shared: every instance drops
   * them itself. An unknown instance, or this one, is logged and ignored.
   *
   * @param instanceId the lost instance
   * @return the blobs of this instance that the dropped objects held, which the caller must free
   */
  public DeleteResult instanceLost(long instanceId) {
    synchronized (tree.lock) {
      if (instanceId == tree.instanceId()) {
        LOG.warn("ignored the loss of this instance itself ({})", instanceId);
        return DeleteResult.NONE;
      }
      if (!instances.remove(instanceId)) {
        LOG.warn("ignored the loss of unknown instance {}", instanceId);
        return DeleteResult.NONE;
      }
      tree.table.signatures().dropInstance(instanceId);
      return deleteLocked(tree.table.objectsOn(instanceId));
    }
  }

  /**
   * Commits again everything this instance shares (its persisted objects, their signatures and
   * names), after the backend lost its data.
   *
   * @return the commit
   */
  public CompletableFuture<Void> republish() {
    CompletableFuture<Void> shared;
    synchronized (tree.lock) {
      shared = tree.commits.enqueue(tree.table.shared());
    }
    tree.commits.flush();
    return shared;
  }

  // ---------------------------------------------------------------- internals (lock held)

  /** Decodes and adds a batch's objects, resolving links across the batch; skips the bad ones. */
  private void putObjects(Iterable<MetaOp.PutObject> batch) {
    Map<Long, MetaOp.PutObject> pending = new LinkedHashMap<>();
    for (MetaOp.PutObject p : batch) {
      pending.put(p.id(), p);
    }
    Map<Long, StoredObject> decoded = new LinkedHashMap<>();
    Map<Long, String> dangling = new LinkedHashMap<>();
    PersistedForm.Links links =
        new PersistedForm.Links() {
          @Override
          public StoredObject object(long id) {
            StoredObject o = decoded.get(id);
            return o != null ? o : tree.table.find(id);
          }

          @Override
          public Long signatureObject(long signature) {
            return tree.table.signatures().object(signature);
          }
        };
    boolean progress = true;
    while (progress && !pending.isEmpty()) {
      progress = false;
      dangling.clear();
      for (var it = pending.values().iterator(); it.hasNext(); ) {
        MetaOp.PutObject p = it.next();
        try {
          StoredObject o = PersistedForm.decode(p.id(), p.persisted(), links);
          it.remove();
          if (knownInstances(o)) {
            decoded.put(o.id, o);
            progress = true;
          }
        } catch (PersistedForm.Malformed e) {
          if (e.danglingLink) {
            dangling.put(p.id(), e.getMessage());
          } else {
            it.remove();
            LOG.warn("skipped object {}: {}", ObjectIds.toText(p.id()), e.getMessage());
          }
        }
      }
    }
    dangling.forEach((id, why) -> LOG.warn("skipped object {}: {}", ObjectIds.toText(id), why));
    for (StoredObject o : decoded.values()) {
      tree.table.put(o);
    }
  }

  /** Whether an object and its blob members claim only instances of the cluster. */
  private boolean knownInstances(StoredObject o) {
    long instance = o.instanceId();
    String what = "object " + ObjectIds.toText(o.id);
    if (instance != ObjectIds.UNSPECIFIED_INSTANCE && !knownInstance(instance, what)) {
      return false;
    }
    for (MemberLink link : o.members.values()) {
      if (ObjectIds.isBlob(link.id()) && !knownInstance(link.instanceId(), what)) {
        return false;
      }
    }
    return true;
  }

  private boolean knownInstance(long instanceId, String what) {
    if (instances.contains(instanceId)) {
      return true;
    }
    LOG.warn("skipped {}: unknown instance {}", what, Long.toUnsignedString(instanceId));
    return false;
  }

  /**
   * Removes objects other instances removed (with force: local referrers go too, unless the object
   * has an equivalent, which they then refer to instead).
   */
  private DeleteResult deleteLocked(List<Long> ids) {
    Set<Long> present = new TreeSet<>();
    for (long id : ids) {
      if (!ObjectIds.isBlob(id) && tree.table.contains(id)) {
        present.add(id);
      }
    }
    if (present.isEmpty()) {
      return DeleteResult.NONE;
    }
    long[] targets = ObjectTable.toArray(present);
    return tree.table.delete(targets, true, false, true, new ArrayList<>());
  }
}
