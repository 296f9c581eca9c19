package io.cellar.etcd;

import io.cellar.core.meta.backend.InstanceRecord;
import io.cellar.core.meta.backend.MetaListener;
import io.cellar.core.meta.backend.MetaOp;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.watch.WatchEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what etcd shows (watch events, or a full reload) into {@link MetaListener} calls: one
 * {@code onChanges} per revision with the revision's ops in commit order, never this instance's own
 * revisions ({@link CommitLedger}), instance joins and losses, and the completion of {@code sync}
 * waiters once their revision is applied. It keeps a mirror of what it delivered (a hash of each
 * key's value) so that a reload after compaction or data loss delivers just the difference.
 *
 * <p>Thread-safe: guarded by its own monitor. Watch events are applied on the thread the watch
 * stream delivers them on (jetcd's), with no hand-off: that hop to the backend thread was the tail
 * of the time until another instance's change is visible here. Reloads, starts and stops come from
 * the backend thread. The listener is called with the monitor held: one call at a time, in revision
 * order, each seeing everything the previous one did. Nothing here blocks.
 */
final class ChangeFeed {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);

  private final KeyLayout layout;
  private final OpCodec codec;
  private final CommitLedger ledger;
  private final ClusterIdentity identity;
  private final InstanceTable instances;
  private final MalformedKeys malformed;
  private final LongPredicate isSelf;
  private final SelfRemoved onSelfRemoved;
  private final Map<String, Seen> mirror = new HashMap<>();
  private final Queue<Pending> pending = new ArrayDeque<>();
  private final PriorityQueue<Waiter> waiters =
      new PriorityQueue<>((a, b) -> Long.compare(a.revision, b.revision));
  private MetaListener listener;
  private long applied;

  ChangeFeed(
      KeyLayout layout,
      OpCodec codec,
      CommitLedger ledger,
      ClusterIdentity identity,
      InstanceTable instances,
      MalformedKeys malformed,
      LongPredicate isSelf,
      SelfRemoved onSelfRemoved) {
    this.layout = layout;
    this.codec = codec;
    this.ledger = ledger;
    this.identity = identity;
    this.instances = instances;
    this.malformed = malformed;
    this.isSelf = isSelf;
    this.onSelfRemoved = onSelfRemoved;
  }

  /** Told when someone else removed one of this instance's registrations. */
  interface SelfRemoved {
    /**
     * An own instance's keys are gone.
     *
     * @param instanceId the id (current or former)
     * @param revision the revision that removed them
     */
    void removed(long instanceId, long revision);
  }

  /** What the mirror remembers of a key: its value's hash and whether this instance wrote it. */
  private record Seen(long hash, boolean own) {}

  private record Pending(long settledSeq, List<WatchEvent> events) {}

  private record Waiter(long revision, CompletableFuture<Long> future) {}

  /**
   * Fills the mirror and the instance table from a full read, delivering nothing (the caller hands
   * the same read to its owner as a snapshot).
   *
   * @param kvs every key under the prefix
   * @param revision the read's revision
   */
  synchronized void seed(List<KeyValue> kvs, long revision) {
    mirror.clear();
    instances.clear();
    for (KeyValue kv : kvs) {
      String key = kv.getKey().toString();
      ParsedKey parsed = layout.parse(key);
      if (parsed instanceof ParsedKey.ForeignKey || parsed instanceof ParsedKey.LockKey) {
        continue;
      }
      byte[] value = kv.getValue().getBytes();
      mirror.put(key, new Seen(ContentHash.ofValue(value), false));
      if (parsed instanceof ParsedKey.InstanceKey ik) {
        instances.apply(ik.instanceId(), ik.field(), value, kv.getLease());
      }
    }
    instances.publish();
    applied = Math.max(applied, revision);
    identity.observe(revision);
  }

  /**
   * Starts delivering to a listener.
   *
   * @param afterRevision the revision the listener has
   * @param listener the listener
   */
  synchronized void start(long afterRevision, MetaListener listener) {
    this.listener = listener;
    this.applied = afterRevision;
  }

  /** Stops delivering (the watch is closed). */
  synchronized void stop() {
    listener = null;
    pending.clear();
  }

  synchronized MetaListener listener() {
    return listener;
  }

  /**
   * The last revision applied.
   *
   * @return the revision
   */
  synchronized long applied() {
    return applied;
  }

  /**
   * Queues a watch response, if the feed is started and the stream it came from is still the
   * current one; it is processed once the transactions begun before it arrived have settled. The
   * check and the queueing are one step under this feed's monitor, so a reload that stops the feed
   * or opens a new stream never races a response of the old one in.
   *
   * @param current whether the response's stream is still the current one (asked under the monitor)
   * @param settledSeq {@link CommitLedger#lastBegun} when the response arrived
   * @param events its events
   * @return whether it was queued
   */
  synchronized boolean enqueueIfCurrent(
      BooleanSupplier current, long settledSeq, List<WatchEvent> events) {
    if (listener == null || !current.getAsBoolean()) {
      return false;
    }
    pending.add(new Pending(settledSeq, events));
    drain();
    return true;
  }

  /** Processes queued responses whose transactions have settled. */
  synchronized void drain() {
    while (!pending.isEmpty() && ledger.settledUpTo(pending.peek().settledSeq)) {
      Pending p = pending.poll();
      process(p.events);
    }
  }

  private void process(List<WatchEvent> events) {
    Map<Long, List<WatchEvent>> byRevision = new LinkedHashMap<>();
    for (WatchEvent e : events) {
      byRevision.computeIfAbsent(e.getKeyValue().getModRevision(), r -> new ArrayList<>()).add(e);
    }
    for (Map.Entry<Long, List<WatchEvent>> group : byRevision.entrySet()) {
      if (group.getKey() > applied) {
        applyRevision(group.getKey(), group.getValue());
      }
    }
  }

  private void applyRevision(long revision, List<WatchEvent> events) {
    List<Long> prints = new ArrayList<>(events.size());
    for (WatchEvent e : events) {
      String key = e.getKeyValue().getKey().toString();
      prints.add(ContentHash.of(key, isDelete(e) ? null : e.getKeyValue().getValue().getBytes()));
    }
    boolean own = ledger.isOwn(revision, prints);
    List<MetaOp> ops = new ArrayList<>();
    Set<Long> touched = new HashSet<>();
    Map<Long, Boolean> before = new HashMap<>();
    for (WatchEvent e : events) {
      String key = e.getKeyValue().getKey().toString();
      byte[] value = isDelete(e) ? null : e.getKeyValue().getValue().getBytes();
      apply(key, value, e.getKeyValue().getLease(), own, ops, touched, before);
    }
    applied = revision;
    identity.observe(revision);
    ledger.forgetUpTo(revision);
    deliver(revision, ops, touched, before, own);
  }

  private static boolean isDelete(WatchEvent e) {
    return e.getEventType() == WatchEvent.EventType.DELETE;
  }

  /** Applies one key's change to the mirror and the instance table; adds the op it shows. */
  private void apply(
      String key,
      byte[] value,
      long lease,
      boolean own,
      List<MetaOp> ops,
      Set<Long> touched,
      Map<Long, Boolean> before) {
    ParsedKey parsed = layout.parse(key);
    switch (parsed) {
      case ParsedKey.ForeignKey f -> {
        return;
      }
      case ParsedKey.LockKey l -> {
        return;
      }
      default -> {}
    }
    if (value == null) {
      mirror.remove(key);
    } else {
      mirror.put(key, new Seen(ContentHash.ofValue(value), own));
    }
    switch (parsed) {
      case ParsedKey.InstanceKey ik -> {
        before.computeIfAbsent(ik.instanceId(), id -> instances.record(id) != null);
        instances.apply(ik.instanceId(), ik.field(), value, lease);
        touched.add(ik.instanceId());
      }
      case ParsedKey.UnknownKey u -> malformed.report(key, u.why());
      default -> {
        if (!own) {
          try {
            Optional<MetaOp> op =
                value == null ? codec.fromDelete(parsed) : codec.fromPut(parsed, value);
            op.ifPresent(ops::add);
          } catch (MalformedValueException e) {
            malformed.report(key, e.getMessage());
          }
        }
      }
    }
  }

  private void deliver(
      long revision, List<MetaOp> ops, Set<Long> touched, Map<Long, Boolean> before, boolean own) {
    if (!touched.isEmpty()) {
      instances.publish();
    }
    MetaListener l = listener;
    if (l != null && !ops.isEmpty()) {
      try {
        l.onChanges(revision, List.copyOf(ops));
      } catch (RuntimeException e) {
        LOG.error("metadata listener failed on revision {}", revision, e);
      }
    }
    for (long id : touched) {
      InstanceRecord now = instances.record(id);
      boolean was = before.getOrDefault(id, false);
      if (isSelf.test(id)) {
        if (was && now == null && !own) {
          onSelfRemoved.removed(id, revision);
        }
        continue;
      }
      if (l == null) {
        continue;
      }
      try {
        if (!was && now != null) {
          l.onInstanceJoined(now);
        } else if (was && now == null) {
          l.onInstanceLost(id);
        }
      } catch (RuntimeException e) {
        LOG.error("metadata listener failed on instance {}", id, e);
      }
    }
    completeWaiters();
  }

  /**
   * Delivers the difference between the mirror and a full read (after compaction, or after etcd
   * lost its data), as one {@code onChanges} at the read's revision.
   *
   * @param kvs every key under the prefix now
   * @param revision the read's revision
   */
  synchronized void applyDiff(List<KeyValue> kvs, long revision) {
    Set<String> ownKeys = ledger.ownKeys(applied, revision);
    Map<String, KeyValue> current = new HashMap<>();
    for (KeyValue kv : kvs) {
      current.put(kv.getKey().toString(), kv);
    }
    List<MetaOp> ops = new ArrayList<>();
    Set<Long> touched = new HashSet<>();
    Map<Long, Boolean> before = new HashMap<>();
    for (Map.Entry<String, Seen> entry : List.copyOf(mirror.entrySet())) {
      if (!current.containsKey(entry.getKey())) {
        boolean own = entry.getValue().own() || ownKeys.contains(entry.getKey());
        apply(entry.getKey(), null, 0, own, ops, touched, before);
      }
    }
    for (KeyValue kv : kvs) {
      String key = kv.getKey().toString();
      byte[] value = kv.getValue().getBytes();
      Seen seen = mirror.get(key);
      if (seen != null && seen.hash() == ContentHash.ofValue(value)) {
        continue;
      }
      boolean own = ledger.isOwn(kv.getModRevision(), List.of());
      apply(key, value, kv.getLease(), own, ops, touched, before);
    }
    applied = revision;
    identity.observe(revision);
    ledger.forgetUpTo(revision);
    LOG.info("reloaded the metadata at revision {}: {} changes delivered", revision, ops.size());
    deliver(revision, ops, touched, before, false);
  }

  /**
   * Completes a future once a revision is applied, if the feed is started (the check and the
   * registration one step under this feed's monitor).
   *
   * @param revision the revision to reach
   * @param future completed with the applied revision, by the thread that applies it
   * @return false, leaving the future alone, when the feed is not started
   */
  synchronized boolean awaitRevisionIfStarted(long revision, CompletableFuture<Long> future) {
    if (listener == null) {
      return false;
    }
    waiters.add(new Waiter(revision, future));
    completeWaiters();
    return true;
  }

  /** Completes every waiter at once: after etcd lost its data their revisions mean nothing. */
  synchronized void releaseWaiters() {
    while (!waiters.isEmpty()) {
      waiters.poll().future.complete(applied);
    }
  }

  private void completeWaiters() {
    while (!waiters.isEmpty() && waiters.peek().revision <= applied) {
      waiters.poll().future.complete(applied);
    }
  }
}
