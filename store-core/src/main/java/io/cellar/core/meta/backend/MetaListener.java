package io.cellar.core.meta.backend;

import java.util.List;

/**
 * Receives what other instances change, from a {@link MetaBackend#watch}. Calls come one at a time,
 * in revision order, each happening after the previous one, from the backend's threads (the etcd
 * backend calls on its client's I/O thread, as the events arrive); so a listener must not block for
 * long (it applies the changes to an in-memory tree) and must not call {@link MetaBackend#commit}
 * and wait for it. An exception thrown by a listener is logged by the backend and the watch goes
 * on.
 */
public interface MetaListener {
  /**
   * Changes committed by other instances in one revision (one commit is one batch). Never this
   * instance's own commits: the backend filters those out. Ops are in commit order.
   *
   * @param revision the revision of the commit
   * @param ops what changed
   */
  void onChanges(long revision, List<MetaOp> ops);

  /**
   * An instance joined the cluster.
   *
   * @param instance its record
   */
  default void onInstanceJoined(InstanceRecord instance) {}

  /**
   * An instance is gone (its lease expired, or its heartbeat went stale): the objects that lived on
   * it are to be dropped. Never called for this instance itself.
   *
   * @param instanceId the dead instance
   */
  default void onInstanceLost(long instanceId) {}

  /**
   * The backend lost its data (a new cluster, or a revision that went backwards) and has registered
   * this instance again: the listener should commit again everything it shares (persisted objects,
   * names, signatures), as the etcd data no longer holds them. The backend registers it again under
   * the same instance id when it can: the ids the instance has issued, and the {@code instance_id}
   * of its objects and blobs, embed that id and cannot change. A registration under another id is
   * reported to the listener all the same; the engine logs it as an error and keeps its old id.
   *
   * @param registration the new registration
   */
  default void onReset(Registration registration) {}
}
