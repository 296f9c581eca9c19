package io.cellar.etcd;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * This instance's own transactions, so that the watch never delivers them back: the revisions of
 * those that succeeded (with the keys they wrote), and the writes of those whose outcome is unknown
 * (the response was lost, so the transaction may or may not have been applied).
 *
 * <p>The race it closes: the watch event of a transaction can arrive before the transaction's
 * response. A watch response that arrives while transactions are in flight is held until every
 * transaction begun before its arrival has settled ({@link #lastBegun} captured on arrival, {@link
 * #settledUpTo} before processing). A transaction begun after the arrival cannot own the event's
 * revision: etcd had already applied that revision when it sent the event.
 *
 * <p>Thread-safe (one lock): transactions begin and settle on the commit thread, the watch thread
 * asks and prunes.
 */
final class CommitLedger {
  private static final int MAX_UNCERTAIN = 256;
  private static final int MAX_OWN_REVISIONS = 100_000; // bounds memory when nobody watches

  private final NavigableMap<Long, List<String>> ownRevisions = new TreeMap<>();
  private final Deque<Set<Long>> uncertain = new ArrayDeque<>();
  private long begun;
  private long settled;
  private Runnable onSettled = () -> {};

  /**
   * Sets what runs (on the settling thread) each time a transaction settles.
   *
   * @param onSettled the action; it must not block
   */
  synchronized void onSettled(Runnable onSettled) {
    this.onSettled = onSettled;
  }

  /**
   * Marks a transaction as about to be sent.
   *
   * @return its sequence number, for {@link #succeeded} or {@link #uncertain}
   */
  synchronized long begin() {
    return ++begun;
  }

  /**
   * The sequence number of the last transaction begun.
   *
   * @return the number (0 before the first)
   */
  synchronized long lastBegun() {
    return begun;
  }

  /**
   * Whether every transaction up to a sequence number has settled.
   *
   * @param seq a value of {@link #lastBegun}
   * @return true when none of them is still in flight
   */
  synchronized boolean settledUpTo(long seq) {
    return settled >= seq;
  }

  /**
   * Records a transaction etcd applied.
   *
   * @param seq its number
   * @param revision the revision it made (its response's header)
   * @param writes what it wrote
   */
  void succeeded(long seq, long revision, List<EtcdWrite> writes) {
    Runnable action;
    synchronized (this) {
      ownRevisions.put(revision, writes.stream().map(EtcdWrite::key).toList());
      while (ownRevisions.size() > MAX_OWN_REVISIONS) {
        ownRevisions.pollFirstEntry();
      }
      settled = Math.max(settled, seq);
      action = onSettled;
    }
    action.run();
  }

  /**
   * Records a transaction whose outcome is unknown (or that failed): if etcd applied it after all,
   * the watch recognises its events by their content.
   *
   * @param seq its number
   * @param writes what it would have written
   */
  void uncertain(long seq, List<EtcdWrite> writes) {
    Runnable action;
    synchronized (this) {
      Set<Long> prints = new HashSet<>();
      for (EtcdWrite w : writes) {
        prints.add(w.fingerprint());
      }
      uncertain.addLast(prints);
      while (uncertain.size() > MAX_UNCERTAIN) {
        uncertain.removeFirst();
      }
      settled = Math.max(settled, seq);
      action = onSettled;
    }
    action.run();
  }

  /**
   * Whether a revision's events are this instance's: a recorded revision, or events that match the
   * writes of one uncertain transaction (which is then forgotten).
   *
   * @param revision the revision
   * @param fingerprints the {@link EtcdWrite#fingerprint} of each event of that revision (a delete
   *     with a null value)
   * @return true when the revision is this instance's own
   */
  synchronized boolean isOwn(long revision, List<Long> fingerprints) {
    if (ownRevisions.containsKey(revision)) {
      return true;
    }
    if (fingerprints.isEmpty()) {
      return false;
    }
    for (Iterator<Set<Long>> it = uncertain.iterator(); it.hasNext(); ) {
      Set<Long> prints = it.next();
      if (prints.size() >= fingerprints.size() && prints.containsAll(fingerprints)) {
        it.remove();
        return true;
      }
    }
    return false;
  }

  /**
   * The keys this instance wrote in revisions after one and up to another.
   *
   * @param after exclusive
   * @param upTo inclusive
   * @return the keys
   */
  synchronized Set<String> ownKeys(long after, long upTo) {
    Set<String> keys = new HashSet<>();
    if (upTo > after) {
      for (List<String> k : ownRevisions.subMap(after, false, upTo, true).values()) {
        keys.addAll(k);
      }
    }
    return keys;
  }

  /**
   * Forgets revisions the watch has applied.
   *
   * @param revision the watch's applied revision
   */
  synchronized void forgetUpTo(long revision) {
    ownRevisions.headMap(revision, true).clear();
  }

  /** Forgets everything (etcd lost its data: the old revisions mean nothing). */
  synchronized void clear() {
    ownRevisions.clear();
    uncertain.clear();
  }
}
