package io.cellar.core.meta.backend;

/** This instance's membership of the cluster: its id and its liveness. Thread-safe. */
public interface Registration {
  /**
   * The instance id the backend assigned (the reference's rank from {@code /next_instance_id}).
   *
   * @return the id
   */
  long instanceId();

  /**
   * Whether the backend still holds this instance as alive (the lease is kept alive, the heartbeat
   * is written). False while the backend is unreachable past its timeout.
   *
   * @return true while registered and reachable
   */
  boolean alive();
}
