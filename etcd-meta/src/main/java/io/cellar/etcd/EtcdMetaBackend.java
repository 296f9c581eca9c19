package io.cellar.etcd;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.meta.backend.InstanceFacts;
import io.cellar.core.meta.backend.InstanceRecord;
import io.cellar.core.meta.backend.MetaBackend;
import io.cellar.core.meta.backend.MetaListener;
import io.cellar.core.meta.backend.MetaOp;
import io.cellar.core.meta.backend.MetaSnapshot;
import io.cellar.core.meta.backend.Registration;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Response;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code --meta etcd} backend: the reference vineyardd's key layout in etcd through jetcd, so
 * that Cellar and reference instances share one etcd (reference {@code vineyard-k8s.md} §4).
 *
 * <p><b>Threads.</b> Watch events are applied and delivered to the listener on the thread jetcd
 * delivers them on (no hand-off: {@link ChangeFeed} is guarded by its own monitor); one backend
 * thread runs the reloads, re-registration, keep-alives and heartbeats; one commit thread runs and
 * completes commits (in call order). {@link #register} and {@link #load} block their caller,
 * bounded by {@code meta_timeout}; {@link #commit} and {@link #sync} return at once. Everything
 * else is thread-safe.
 *
 * <p><b>Liveness.</b> The instance keys live on a lease ({@code etcd_lease_ttl}), kept alive; a
 * Cellar instance killed with -9 disappears when its lease expires, and so does one that stopped:
 * {@link #close} does not revoke the lease, because the other instances drop what lived on an
 * instance they lose, and upstream's own failure test ({@code test_vineyardd_failure.py}, run as
 * upstream's CI runs it) resolves the names and metadata a terminated instance persisted through
 * another instance right after the termination, which the reference serves until it declares the
 * instance dead (30-40 s later). The instance also rewrites its {@code timestamp} every heartbeat,
 * as the reference does, and removes reference instances whose timestamp stayed unchanged for 3
 * heartbeats ({@link StaleInstanceReaper}).
 *
 * <p><b>Data loss.</b> When etcd answers from another cluster or with a revision lower than one
 * seen, or the lease is gone, or someone removed this instance's keys, the backend registers again
 * (keeping its id when {@code /instances/i<N>} is free), reloads and delivers the difference, and
 * calls {@link MetaListener#onReset} so that its owner publishes its metadata again.
 */
public final class EtcdMetaBackend implements MetaBackend {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdMetaBackend.class);

  private final EtcdOptions options;
  private final KeyLayout layout;
  private final OpCodec codec;
  private final ClusterIdentity identity = new ClusterIdentity();
  private final CommitLedger ledger = new CommitLedger();
  private final MalformedKeys malformed = new MalformedKeys();
  private final InstanceTable instances;
  private final ChangeFeed feed;
  private final ScheduledExecutorService backend;
  private final ExecutorService commitThread;
  private final Set<Long> ownIds = ConcurrentHashMap.newKeySet();
  private final AtomicReference<EtcdRegistration> resyncFor = new AtomicReference<>();
  private final AtomicBoolean dataLost = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  private volatile Client client;
  private volatile EtcdCalls calls;
  private volatile Committer committer;
  private volatile WatchStream watch;
  private volatile LeaseKeeper leases;
  private volatile Heartbeat heartbeat;
  private volatile UserLocks locks;
  private volatile InstanceRegistrar registrar;
  private volatile EtcdLauncher launcher;
  private volatile EtcdRegistration registration;
  private volatile InstanceFacts facts;
  private final AtomicLong watchBackoffMillis = new AtomicLong(100);

  private EtcdMetaBackend(EtcdOptions options) {
    this.options = options;
    this.layout = new KeyLayout(options.prefix(), 0);
    this.codec = new OpCodec(layout);
    this.instances = new InstanceTable(layout, malformed);
    this.feed =
        new ChangeFeed(
            layout,
            codec,
            ledger,
            identity,
            instances,
            malformed,
            ownIds::contains,
            this::onSelfRemoved);
    this.backend =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("cellar-etcd").factory());
    this.commitThread =
        Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("cellar-etcd-commit").factory());
    ledger.onSettled(() -> backend.execute(feed::drain));
  }

  /**
   * Opens a backend; it connects in {@link #register}.
   *
   * @param options the metadata flags ({@link EtcdOptions#from})
   * @return the backend, owned by the caller
   */
  public static EtcdMetaBackend open(Map<String, String> options) {
    return new EtcdMetaBackend(EtcdOptions.from(options));
  }

  @Override
  public String name() {
    return "etcd";
  }

  /**
   * The key prefix of this backend's session, for tools and tests.
   *
   * @return {@code <etcd_prefix>/S0000000000000000}
   */
  public String keyPrefix() {
    return layout.root();
  }

  /**
   * The etcd this backend launched, if it launched one.
   *
   * @return the client URL of the local etcd
   */
  public Optional<URI> launchedEtcd() {
    EtcdLauncher l = launcher;
    return l == null ? Optional.empty() : Optional.of(l.endpoint());
  }

  @Override
  public synchronized Registration register(InstanceFacts facts) {
    if (registration != null) {
      throw CellarException.invalid("already registered as instance " + registration.instanceId());
    }
    if (closed.get()) {
      throw new CellarException(StatusCode.ALREADY_STOPPED, "etcd metadata backend is closed");
    }
    long deadline = System.nanoTime() + options.metaTimeout().toNanos();
    connect(deadline);
    this.facts = facts;
    long lease = grantLease(deadline);
    InstanceRegistrar.Registered r =
        registrar.register(facts, -1, lease, memberId(), left(deadline));
    ownIds.add(r.instanceId());
    EtcdRegistration reg = new EtcdRegistration(r.instanceId(), leases::held);
    leases.start(lease);
    heartbeat.start(() -> registration == null ? -1 : registration.instanceId(), leases::lease);
    registration = reg;
    return reg;
  }

  private long memberId() {
    EtcdLauncher l = launcher;
    return l == null ? 0 : l.memberId();
  }

  /** Connects (or launches a local etcd) and builds the components on the client. */
  private void connect(long deadline) {
    EtcdConnector.Connected connected = EtcdConnector.connect(options, layout, identity, deadline);
    Client chosen = connected.client();
    launcher = connected.launcher();
    client = chosen;
    calls = new EtcdCalls(chosen, identity, this::onDataLoss);
    committer = new Committer(calls, codec, ledger, commitThread, options.metaTimeout());
    watch = new WatchStream(chosen, ledger, backend, new FeedSink());
    leases =
        new LeaseKeeper(
            calls, backend, options.leaseTtl(), () -> requestResync(registration, "lease lost"));
    StaleInstanceReaper reaper =
        new StaleInstanceReaper(
            calls,
            layout,
            () -> registration == null ? -1 : registration.instanceId(),
            options.heartbeatInterval());
    heartbeat = new Heartbeat(calls, layout, backend, options.heartbeatInterval(), reaper);
    locks = new UserLocks(calls, layout, () -> leases.lease(), options.metaTimeout());
    registrar = new InstanceRegistrar(calls, layout, ledger);
  }

  private long grantLease(long deadline) {
    return InstanceRegistrar.await(
            calls.grant(options.leaseTtl(), left(deadline)), deadline, "granting a lease")
        .getID();
  }

  @Override
  public MetaSnapshot load() {
    requireRegistered();
    long deadline = System.nanoTime() + options.metaTimeout().toNanos();
    GetResponse all = readAll(deadline);
    long revision = all.getHeader().getRevision();
    Map<Long, ObjectNode> objects = new LinkedHashMap<>();
    Map<String, Long> names = new HashMap<>();
    List<MetaOp.PutSignature> signatures = new ArrayList<>();
    for (KeyValue kv : all.getKvs()) {
      String key = kv.getKey().toString();
      ParsedKey parsed = layout.parse(key);
      try {
        switch (parsed) {
          case ParsedKey.ObjectKey o ->
              codec
                  .fromPut(parsed, kv.getValue().getBytes())
                  .ifPresent(op -> objects.put(o.id(), ((MetaOp.PutObject) op).persisted()));
          case ParsedKey.NameKey n ->
              codec
                  .fromPut(parsed, kv.getValue().getBytes())
                  .ifPresent(op -> names.put(n.name(), ((MetaOp.PutName) op).id()));
          case ParsedKey.SignatureKey g ->
              codec
                  .fromPut(parsed, kv.getValue().getBytes())
                  .ifPresent(op -> signatures.add((MetaOp.PutSignature) op));
          case ParsedKey.UnknownKey u -> malformed.report(key, u.why());
          default -> {}
        }
      } catch (MalformedValueException e) {
        malformed.report(key, e.getMessage());
      }
    }
    onBackend(() -> feed.seed(all.getKvs(), revision), deadline);
    return new MetaSnapshot(revision, objects, names, signatures, instances.snapshot());
  }

  private GetResponse readAll(long deadline) {
    return InstanceRegistrar.await(
        calls.get(layout.root() + "/", GetOption.builder().isPrefix(true).build(), left(deadline)),
        deadline,
        "reading " + layout.root());
  }

  @Override
  public AutoCloseable watch(long afterRevision, MetaListener listener) {
    requireRegistered();
    backend.execute(
        () -> {
          feed.start(afterRevision, listener);
          watch.open(afterRevision + 1);
        });
    return () ->
        backend.execute(
            () -> {
              watch.close();
              feed.stop();
            });
  }

  /**
   * Where the watch stream's results arrive: events on jetcd's thread (applied there, under the
   * feed's monitor), the stream's end on the backend thread.
   */
  private final class FeedSink implements WatchStream.Sink {
    @Override
    public void events(long generation, long settledSeq, List<WatchEvent> events) {
      if (feed.enqueueIfCurrent(() -> generation == watch.generation(), settledSeq, events)) {
        watchBackoffMillis.set(100);
      }
    }

    @Override
    public void ended(long generation, boolean compacted, Throwable cause) {
      if (closed.get() || generation != watch.generation() || feed.listener() == null) {
        return;
      }
      if (compacted) {
        LOG.warn("etcd compacted past revision {}: reloading", feed.applied() + 1);
        reloadOrRetry();
        return;
      }
      long delay = watchBackoffMillis.getAndUpdate(d -> Math.min(5_000, d * 2));
      LOG.info(
          "etcd watch ended ({}), resuming from revision {} in {} ms",
          cause == null ? "closed by the server" : cause.toString(),
          feed.applied() + 1,
          delay);
      backend.schedule(
          () -> {
            if (!closed.get() && generation == watch.generation() && feed.listener() != null) {
              watch.open(feed.applied() + 1);
            }
          },
          delay,
          TimeUnit.MILLISECONDS);
    }
  }

  /** Reads everything, delivers the difference, reopens the watch after it (backend thread). */
  private void reload() {
    GetResponse all = readAll(System.nanoTime() + options.metaTimeout().toNanos());
    long revision = all.getHeader().getRevision();
    feed.applyDiff(all.getKvs(), revision);
    watch.open(revision + 1);
  }

  private void reloadOrRetry() {
    try {
      reload();
    } catch (RuntimeException e) {
      LOG.warn("reload failed ({}), retrying in 1 s", e.toString());
      backend.schedule(this::reloadOrRetry, 1, TimeUnit.SECONDS);
    }
  }

  @Override
  public CompletableFuture<Long> commit(List<MetaOp> ops) {
    Committer c = committer;
    if (c == null || closed.get()) {
      return CompletableFuture.failedFuture(
          new CellarException(
              StatusCode.IO_ERROR, "etcd metadata backend not registered or closed"));
    }
    return c.commit(ops);
  }

  @Override
  public CompletableFuture<Long> sync() {
    EtcdCalls c = calls;
    if (c == null || closed.get()) {
      return CompletableFuture.failedFuture(
          new CellarException(
              StatusCode.IO_ERROR, "etcd metadata backend not registered or closed"));
    }
    CompletableFuture<Long> result = new CompletableFuture<>();
    c.get(layout.root(), GetOption.builder().withCountOnly(true).build(), options.metaTimeout())
        .whenComplete(
            (response, failure) -> {
              if (failure != null) {
                result.completeExceptionally(Committer.asCellar(Committer.unwrap(failure)));
                return;
              }
              long head = response.getHeader().getRevision();
              if (!feed.awaitRevisionIfStarted(head, result)) { // else the events' thread does
                result.complete(head);
              }
            });
    return result
        .orTimeout(options.metaTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .exceptionallyCompose(
            t -> CompletableFuture.failedFuture(Committer.asCellar(Committer.unwrap(t))));
  }

  @Override
  public List<InstanceRecord> instances() {
    return instances.snapshot();
  }

  @Override
  public String tryLock(String key) {
    requireRegistered();
    return locks.tryLock(key);
  }

  @Override
  public boolean unlock(String key) {
    requireRegistered();
    return locks.unlock(key);
  }

  private void onDataLoss() {
    dataLost.set(true);
    requestResync(
        registration, "etcd lost its data (another cluster id, or a revision gone backwards)");
  }

  /** The watch saw an own instance's keys removed by someone else (under the feed's monitor). */
  private void onSelfRemoved(long instanceId, long revision) {
    EtcdRegistration current = registration;
    if (current != null && current.instanceId() == instanceId) {
      requestResync(current, "this instance's keys were removed at revision " + revision);
    }
  }

  /**
   * Asks for a re-registration because of what happened to a registration; ignored when that
   * registration is no longer the current one (a late report about an old lease or old keys).
   */
  private void requestResync(EtcdRegistration concerned, String why) {
    if (closed.get() || concerned == null || concerned != registration) {
      return;
    }
    if (resyncFor.compareAndSet(null, concerned)) {
      LOG.warn("{}: registering again", why);
      backend.execute(this::resync);
    }
  }

  /** Registers again, reloads and tells the listener (backend thread). */
  private void resync() {
    EtcdRegistration old = resyncFor.getAndSet(null);
    if (closed.get() || old == null || old != registration) {
      return;
    }
    old.end();
    watch.close();
    long oldLease = leases.lease();
    leases.stop();
    heartbeat.stop();
    long deadline = System.nanoTime() + options.metaTimeout().toNanos();
    try {
      Response.Header header =
          InstanceRegistrar.await(
              calls.head(layout.root(), left(deadline)), deadline, "reading the header");
      boolean lost = dataLost.getAndSet(false) || identity.showsLoss(header);
      identity.rebase(header);
      if (lost) {
        ledger.clear();
        feed.releaseWaiters();
      }
      if (oldLease != 0 && !lost) {
        calls.revoke(oldLease, Duration.ofSeconds(2)).exceptionally(t -> null);
      }
      long lease = grantLease(deadline);
      InstanceRegistrar.Registered r =
          registrar.register(facts, old.instanceId(), lease, memberId(), left(deadline));
      ownIds.add(r.instanceId());
      EtcdRegistration reg = new EtcdRegistration(r.instanceId(), leases::held);
      registration = reg;
      leases.start(lease);
      heartbeat.start(() -> registration.instanceId(), leases::lease);
      MetaListener listener = feed.listener();
      if (listener != null) {
        reload();
        try {
          listener.onReset(reg);
        } catch (RuntimeException e) {
          LOG.error("metadata listener failed on reset", e);
        }
      }
      LOG.info(
          "registered again as instance {} (was {}){}",
          r.instanceId(),
          old.instanceId(),
          lost ? " after etcd lost its data" : "");
    } catch (RuntimeException e) {
      LOG.warn("registering again failed ({}), retrying in 1 s", e.toString());
      registration = old;
      backend.schedule(() -> requestResync(old, "retry"), 1, TimeUnit.SECONDS);
    }
  }

  private void requireRegistered() {
    if (registration == null) {
      throw CellarException.invalid("the etcd metadata backend is not registered yet");
    }
  }

  private void onBackend(Runnable task, long deadline) {
    InstanceRegistrar.await(
        CompletableFuture.runAsync(task, backend), deadline, "on the backend thread");
  }

  private static Duration left(long deadline) {
    return Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
  }

  /**
   * Ends the registration (the keep-alives stop; the lease is not revoked, so the other instances
   * see this one leave when it expires, as they see a failure: see the class comment), closes the
   * watch and the client, and stops a launched etcd. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    EtcdRegistration reg = registration;
    if (reg != null) {
      reg.end();
    }
    if (heartbeat != null) {
      heartbeat.stop();
    }
    long lease = leases == null ? 0 : leases.lease();
    if (leases != null) {
      leases.stop();
    }
    if (watch != null) {
      watch.close();
    }
    if (lease != 0) {
      LOG.info(
          "left the cluster: lease {} expires in at most {} s, then the other instances drop this"
              + " instance's objects",
          Long.toHexString(lease),
          options.leaseTtl().toSeconds());
    }
    backend.shutdownNow();
    commitThread.shutdownNow();
    if (client != null) {
      client.close();
    }
    if (launcher != null) {
      launcher.close();
    }
  }
}
