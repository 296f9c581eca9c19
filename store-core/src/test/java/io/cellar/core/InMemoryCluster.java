package io.cellar.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.meta.backend.InstanceFacts;
import io.cellar.core.meta.backend.InstanceRecord;
import io.cellar.core.meta.backend.MetaBackend;
import io.cellar.core.meta.backend.MetaListener;
import io.cellar.core.meta.backend.MetaOp;
import io.cellar.core.meta.backend.MetaSnapshot;
import io.cellar.core.meta.backend.Registration;
import io.cellar.core.meta.local.LocalMetaBackend;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * A metadata "cluster" in one JVM, for tests: shared state at a revision (its keys kept in a {@link
 * LocalMetaBackend}, as one etcd would keep them), and one {@link MetaBackend} per instance ({@link
 * #backend()}). A commit advances the revision, changes the shared state and is delivered to every
 * other instance's watch, in revision order, on that instance's own delivery thread (never to the
 * committer); a watch started after some commits replays those after its revision. Ops travel as
 * JSON text, as through etcd. {@link #kill} loses an instance (the others hear {@code
 * onInstanceLost}), {@link #reset} loses the data (every instance hears {@code onReset} and is
 * registered again under its id), {@link #inject} delivers ops as if from an instance that is not a
 * member, and {@link #failCommits} makes commits fail.
 *
 * <p>Thread-safe: one monitor guards the shared state; listeners run on the delivery threads, which
 * are daemons and end when their backend is closed.
 */
final class InMemoryCluster {
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Commit(long revision, long committer, List<MetaOp> ops) {}

  private final Object lock = new Object();
  private long revision;
  private long nextInstanceId;
  private LocalMetaBackend state = freshState(); // the keys, as one etcd would hold them
  private final List<Commit> log = new ArrayList<>();
  private final Map<Long, Member> members = new LinkedHashMap<>();
  private volatile boolean failCommits;

  /** A new backend for one instance; it registers as the next instance id. */
  MetaBackend backend() {
    return new Member();
  }

  /** Makes every commit fail (IOError), as an unreachable backend would, or not. */
  void failCommits(boolean fail) {
    failCommits = fail;
  }

  /** How many commits the cluster has taken. */
  long revision() {
    synchronized (lock) {
      return revision;
    }
  }

  /** The persisted objects the cluster holds now, by id. */
  Map<Long, ObjectNode> objects() {
    synchronized (lock) {
      return state.load().objects();
    }
  }

  /** The names the cluster holds now. */
  Map<String, Long> names() {
    synchronized (lock) {
      return state.load().names();
    }
  }

  /** Every op ever committed, in order (since the last reset). */
  List<MetaOp> committedOps() {
    synchronized (lock) {
      List<MetaOp> out = new ArrayList<>();
      log.forEach(c -> out.addAll(c.ops()));
      return out;
    }
  }

  /** Loses an instance: it stays running but is cut off; the others hear that it is gone. */
  void kill(long instanceId) {
    synchronized (lock) {
      Member m = members.remove(instanceId);
      if (m == null) {
        throw new IllegalArgumentException("no instance " + instanceId);
      }
      m.dead = true;
      each(other -> other.deliver(l -> l.onInstanceLost(instanceId)));
    }
  }

  /** Loses every key; every instance is registered again under its id and told to republish. */
  void reset() {
    synchronized (lock) {
      state = freshState();
      log.clear();
      revision = 0;
      each(m -> m.deliver(l -> l.onReset(m.registration())));
    }
  }

  /**
   * Delivers ops to every instance as if an instance that is not a member had committed them.
   *
   * @param ops anything, malformed included; not applied to the shared state
   */
  void inject(List<MetaOp> ops) {
    synchronized (lock) {
      long rev = ++revision;
      each(m -> m.deliver(l -> l.onChanges(rev, ops)));
    }
  }

  /** Tells every instance that an instance with no backend here has lost. */
  void injectLoss(long instanceId) {
    synchronized (lock) {
      each(m -> m.deliver(l -> l.onInstanceLost(instanceId)));
    }
  }

  /** Lock held: each live member. */
  private void each(Consumer<Member> action) {
    List.copyOf(members.values()).forEach(action);
  }

  private static LocalMetaBackend freshState() {
    LocalMetaBackend s = new LocalMetaBackend();
    s.register(InstanceFacts.NONE);
    return s;
  }

  /** An op as another process would read it: its JSON through text. */
  private static MetaOp overTheWire(MetaOp op) {
    if (op instanceof MetaOp.PutObject p) {
      try {
        return new MetaOp.PutObject(
            p.id(), (ObjectNode) JSON.readTree(JSON.writeValueAsString(p.persisted())));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    return op;
  }

  /** One instance's backend. */
  private final class Member implements MetaBackend {
    final ExecutorService delivery =
        Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().factory());
    long instanceId = -1;
    InstanceRecord record;
    volatile MetaListener listener;
    volatile boolean dead;
    boolean closed;

    @Override
    public String name() {
      return "in-memory-cluster";
    }

    @Override
    public Registration register(InstanceFacts facts) {
      synchronized (lock) {
        instanceId = nextInstanceId++;
        record = new InstanceRecord(instanceId, facts, System.currentTimeMillis());
        each(m -> m.deliver(l -> l.onInstanceJoined(record)));
        members.put(instanceId, this);
        return registration();
      }
    }

    Registration registration() {
      long id = instanceId;
      return new Registration() {
        @Override
        public long instanceId() {
          return id;
        }

        @Override
        public boolean alive() {
          return !dead && !closed;
        }
      };
    }

    @Override
    public MetaSnapshot load() {
      synchronized (lock) {
        MetaSnapshot keys = state.load();
        return new MetaSnapshot(
            revision, keys.objects(), keys.names(), keys.signatures(), instances());
      }
    }

    @Override
    public AutoCloseable watch(long afterRevision, MetaListener l) {
      synchronized (lock) {
        listener = l;
        for (Member m : members.values()) {
          if (m != this) {
            InstanceRecord r = m.record;
            deliver(x -> x.onInstanceJoined(r));
          }
        }
        for (Commit c : log) {
          if (c.revision() > afterRevision && c.committer() != instanceId) {
            deliver(x -> x.onChanges(c.revision(), c.ops()));
          }
        }
      }
      return () -> listener = null;
    }

    /** Lock held: queues a call to this member's listener on its delivery thread. */
    void deliver(Consumer<MetaListener> call) {
      if (dead || closed) {
        return; // closed under the cluster's lock: no execute after shutdown
      }
      delivery.execute(
          () -> {
            MetaListener l = listener;
            if (l != null) {
              call.accept(l);
            }
          });
    }

    @Override
    public CompletableFuture<Long> commit(List<MetaOp> ops) {
      if (failCommits || dead || closed) {
        return CompletableFuture.failedFuture(
            new CellarException(StatusCode.IO_ERROR, "the cluster cannot be reached"));
      }
      synchronized (lock) {
        List<MetaOp> wire = ops.stream().map(InMemoryCluster::overTheWire).toList();
        long rev = ++revision;
        state.commit(wire);
        log.add(new Commit(rev, instanceId, wire));
        for (Member m : members.values()) {
          if (m != this) {
            m.deliver(l -> l.onChanges(rev, wire));
          }
        }
        return CompletableFuture.supplyAsync(() -> rev); // completes on another thread
      }
    }

    @Override
    public CompletableFuture<Long> sync() {
      long target;
      synchronized (lock) {
        target = revision;
      }
      CompletableFuture<Long> done = new CompletableFuture<>();
      try {
        delivery.execute(() -> done.complete(target)); // after every delivery queued before
      } catch (java.util.concurrent.RejectedExecutionException e) {
        done.completeExceptionally(new CellarException(StatusCode.ALREADY_STOPPED, "closed"));
      }
      return done;
    }

    @Override
    public List<InstanceRecord> instances() {
      synchronized (lock) {
        List<InstanceRecord> out = new ArrayList<>();
        members.values().forEach(m -> out.add(m.record));
        return out;
      }
    }

    @Override
    public String tryLock(String key) {
      return key;
    }

    @Override
    public boolean unlock(String key) {
      return true;
    }

    @Override
    public void close() {
      Set<Member> others = new HashSet<>();
      synchronized (lock) {
        if (closed) {
          return;
        }
        if (!dead && members.remove(instanceId, this)) {
          others.addAll(members.values());
          others.forEach(m -> m.deliver(l -> l.onInstanceLost(instanceId)));
        }
        closed = true;
      }
      delivery.shutdown();
    }
  }
}
