package io.cellar.csi;

/**
 * Deletes the vineyard objects that belong to a volume created with {@code
 * k8s.v6d.io/vineyard/delete-objects: "true"}, when DeleteVolume is called. Implementations must be
 * idempotent (deleting again, or when nothing is left, succeeds) and thread-safe. The driver uses
 * {@link IpcObjectReaper}; tests may pass their own.
 */
@FunctionalInterface
public interface ObjectReaper {

  /**
   * Deletes the objects named under the volume in its vineyard cluster.
   *
   * @param volume the volume being deleted
   * @throws io.grpc.StatusRuntimeException with a CSI code when the objects could not be deleted
   */
  void deleteObjects(VolumeId volume);
}
