package io.cellar.csi;

import io.grpc.Status;

/**
 * Deletes the vineyard objects that belong to a volume created with {@code
 * k8s.v6d.io/vineyard/delete-objects: "true"}, when DeleteVolume is called. Implementations must be
 * idempotent (deleting again, or when nothing is left, succeeds) and thread-safe.
 */
@FunctionalInterface
public interface ObjectReaper {

  /**
   * The reaper used until a vineyard client is wired in: it deletes nothing and says so with
   * UNIMPLEMENTED, so a delete-objects volume is never reported deleted while its objects stay.
   */
  ObjectReaper NOT_BUILT =
      volume -> {
        throw Status.UNIMPLEMENTED
            .withDescription(
                "volume "
                    + volume
                    + " was created with "
                    + VolumeId.DELETE_OBJECTS_KEY
                    + "=true, but deleting a volume's vineyard objects is not built yet in this"
                    + " driver; the volume is kept")
            .asRuntimeException();
      };

  /**
   * Deletes the objects named under the volume in its vineyard cluster.
   *
   * @param volume the volume being deleted
   * @throws io.grpc.StatusRuntimeException with a CSI code when the objects could not be deleted
   */
  void deleteObjects(VolumeId volume);
}
