package io.cellar.etcd;

import io.cellar.core.meta.backend.Registration;
import java.util.function.BooleanSupplier;

/**
 * One registration of this instance: its id, alive while it is the backend's current registration
 * and the lease is held. A re-registration (after etcd lost its data, or the lease expired) makes a
 * new one and ends this one.
 *
 * <p>Thread-safe.
 */
final class EtcdRegistration implements Registration {
  private final long instanceId;
  private final BooleanSupplier leaseHeld;
  private volatile boolean current = true;

  EtcdRegistration(long instanceId, BooleanSupplier leaseHeld) {
    this.instanceId = instanceId;
    this.leaseHeld = leaseHeld;
  }

  @Override
  public long instanceId() {
    return instanceId;
  }

  @Override
  public boolean alive() {
    return current && leaseHeld.getAsBoolean();
  }

  void end() {
    current = false;
  }

  @Override
  public String toString() {
    return "instance " + instanceId + (current ? "" : " (ended)");
  }
}
