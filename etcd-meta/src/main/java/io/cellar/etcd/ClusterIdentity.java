package io.cellar.etcd;

import io.etcd.jetcd.Response;

/**
 * Notices that etcd lost its data (the reference's issue #2034): a response from another cluster (a
 * different cluster id), or a revision lower than one this instance had seen before it sent the
 * request. Every response header passes through {@link #check}.
 *
 * <p>A revision is compared with what was seen <em>before the request was sent</em> ({@link
 * #beforeSend}), never with what other, concurrent responses showed since: a slow response may
 * rightly carry an older revision than a fast one.
 *
 * <p>Thread-safe.
 */
final class ClusterIdentity {
  private long clusterId;
  private long maxRevision;
  private long epoch;

  /**
   * What a request must be checked against.
   *
   * @return the highest revision seen so far, tagged with the current epoch
   */
  synchronized Seen beforeSend() {
    return new Seen(epoch, maxRevision);
  }

  /**
   * Checks a response.
   *
   * @param header the response's header
   * @param seen what {@link #beforeSend} said when the request went out
   * @return true when the data is the same cluster's; false when it was lost
   */
  synchronized boolean check(Response.Header header, Seen seen) {
    if (header == null || header.getClusterId() == 0) {
      return true;
    }
    if (seen.epoch != epoch) {
      return true; // sent before a reset: says nothing about the new cluster
    }
    if (clusterId == 0) {
      clusterId = header.getClusterId();
    } else if (clusterId != header.getClusterId()) {
      return false;
    }
    if (header.getRevision() < seen.revision) {
      return false;
    }
    maxRevision = Math.max(maxRevision, header.getRevision());
    return true;
  }

  /**
   * Records a revision the watch delivered (it counts as seen).
   *
   * @param revision the revision
   */
  synchronized void observe(long revision) {
    maxRevision = Math.max(maxRevision, revision);
  }

  /**
   * Whether a header shows a different cluster, or a revision below the highest seen.
   *
   * @param header a fresh header
   * @return true when etcd lost the data this instance saw
   */
  synchronized boolean showsLoss(Response.Header header) {
    return clusterId != 0 && header.getClusterId() != clusterId
        || header.getRevision() < maxRevision;
  }

  /**
   * Starts over on a new cluster (after a reset).
   *
   * @param header a header from the new cluster
   */
  synchronized void rebase(Response.Header header) {
    epoch++;
    clusterId = header.getClusterId();
    maxRevision = header.getRevision();
  }

  /**
   * The highest revision seen.
   *
   * @return the revision
   */
  synchronized long maxRevision() {
    return maxRevision;
  }

  /**
   * A snapshot taken before a request.
   *
   * @param epoch the reset count then
   * @param revision the highest revision seen then
   */
  record Seen(long epoch, long revision) {}
}
