package io.cellar.core;

import io.cellar.core.blob.BlobStore;
import io.cellar.core.meta.DeleteResult;
import io.cellar.core.meta.RemoteChanges;
import io.cellar.core.meta.backend.InstanceRecord;
import io.cellar.core.meta.backend.MetaListener;
import io.cellar.core.meta.backend.MetaOp;
import io.cellar.core.meta.backend.Registration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link Store} does with other instances' changes: applies them to its tree ({@link
 * RemoteChanges}) and frees the blobs of this instance that objects deleted elsewhere held. It
 * never throws into the backend: anything unexpected is logged and the watch goes on.
 *
 * <p><b>Threading.</b> Called by the backend, one call at a time (on the etcd client's I/O thread
 * for the etcd backend); takes the tree's lock, then the blob store's, never both at once, and
 * waits for no future.
 */
final class ClusterListener implements MetaListener {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterListener.class);

  private final RemoteChanges remote;
  private final BlobStore blobs;
  private final long instanceId;

  ClusterListener(RemoteChanges remote, BlobStore blobs, long instanceId) {
    this.remote = remote;
    this.blobs = blobs;
    this.instanceId = instanceId;
  }

  @Override
  public void onChanges(long revision, List<MetaOp> ops) {
    try {
      free(remote.apply(ops));
    } catch (RuntimeException e) {
      LOG.error("skipped the metadata changes of revision {}", revision, e);
    }
  }

  @Override
  public void onInstanceJoined(InstanceRecord instance) {
    if (instance != null) {
      remote.instanceJoined(instance.instanceId());
    }
  }

  @Override
  public void onInstanceLost(long lost) {
    try {
      free(remote.instanceLost(lost));
    } catch (RuntimeException e) {
      LOG.error("could not drop the objects of lost instance {}", lost, e);
    }
  }

  @Override
  public void onReset(Registration registration) {
    if (registration != null && registration.instanceId() != instanceId) {
      LOG.error(
          "the metadata backend registered this instance again as {} instead of {}: keeping {}",
          registration.instanceId(),
          instanceId,
          instanceId);
    }
    try {
      remote
          .republish()
          .whenComplete(
              (v, e) -> {
                if (e != null) {
                  LOG.warn("sharing this instance's metadata again failed: {}", e.toString());
                }
              });
    } catch (RuntimeException e) {
      LOG.error("could not share this instance's metadata again", e);
    }
  }

  private void free(DeleteResult deleted) {
    if (deleted.blobIds().length > 0) {
      blobs.delete(BlobStore.NO_OWNER, deleted.blobIds());
    }
  }
}
