package io.cellar.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one long-lived etcd watch, over the whole keyspace as the reference's (so that every revision
 * shows up as an event and {@code sync} can wait for any revision), from a given revision. Events
 * go to the sink at once, on jetcd's thread, tagged with the stream's generation and with {@link
 * CommitLedger#lastBegun} at their arrival; the end of a stream goes to the backend thread (what
 * follows it may block). On any error the stream closes itself (jetcd's own resume could skip
 * revisions) and reports; the owner reopens it from its last applied revision. A stream's events
 * all reach the sink before its end is handed to the backend thread.
 *
 * <p>Thread-safe: {@link #open} and {@link #close} are called on the backend thread; jetcd calls
 * the listener on its own threads.
 */
final class WatchStream implements AutoCloseable {
  /** Where the stream's results go. */
  interface Sink {
    /**
     * Events arrived; called on jetcd's thread, one response at a time in order, and must not
     * block.
     *
     * @param generation the stream's generation
     * @param settledSeq the ledger's last begun transaction when they arrived
     * @param events the events
     */
    void events(long generation, long settledSeq, List<WatchEvent> events);

    /**
     * The stream ended; called on the backend thread.
     *
     * @param generation the stream's generation
     * @param compacted true when etcd compacted past the revision asked for
     * @param cause the error, or null when the server closed the stream
     */
    void ended(long generation, boolean compacted, Throwable cause);
  }

  private static final ByteSequence ALL_KEYS = ByteSequence.from(new byte[] {0});

  private final Client client;
  private final CommitLedger ledger;
  private final Executor backend;
  private final Sink sink;
  private Watch.Watcher watcher;
  private volatile long generation; // written under the monitor, read by the events' check

  WatchStream(Client client, CommitLedger ledger, Executor backend, Sink sink) {
    this.client = client;
    this.ledger = ledger;
    this.backend = backend;
    this.sink = sink;
  }

  /**
   * (Re)opens the stream.
   *
   * @param fromRevision the first revision wanted
   * @return the new generation
   */
  synchronized long open(long fromRevision) {
    close();
    long gen = ++generation;
    AtomicBoolean ended = new AtomicBoolean();
    WatchOption option =
        WatchOption.builder()
            .withRange(ALL_KEYS)
            .withRevision(fromRevision)
            // a member cut off from its leader ends the stream instead of going quiet
            .withRequireLeader(true)
            .build();
    watcher =
        client
            .getWatchClient()
            .watch(
                ALL_KEYS,
                option,
                new Watch.Listener() {
                  @Override
                  public void onNext(WatchResponse response) {
                    List<WatchEvent> events = response.getEvents();
                    if (events.isEmpty() || ended.get()) {
                      return;
                    }
                    sink.events(gen, ledger.lastBegun(), events);
                  }

                  @Override
                  public void onError(Throwable t) {
                    if (!ended.compareAndSet(false, true)) {
                      return;
                    }
                    stopAfterError(gen);
                    boolean compacted = t instanceof CompactedException;
                    backend.execute(() -> sink.ended(gen, compacted, t));
                  }

                  @Override
                  public void onCompleted() {
                    if (!ended.compareAndSet(false, true)) {
                      return;
                    }
                    backend.execute(() -> sink.ended(gen, false, null));
                  }
                });
    return gen;
  }

  private synchronized void stopAfterError(long gen) {
    if (gen == generation && watcher != null) {
      Watch.Watcher w = watcher;
      watcher = null;
      w.close(); // stops jetcd's own resume: the owner resumes from its applied revision
    }
  }

  /**
   * The current generation.
   *
   * @return the number of the last {@link #open}
   */
  long generation() {
    return generation;
  }

  /** Closes the stream; later events of it are ignored by their generation. */
  @Override
  public synchronized void close() {
    if (watcher != null) {
      Watch.Watcher w = watcher;
      watcher = null;
      generation++;
      w.close();
    }
  }
}
