package io.cellar.etcd;

import io.cellar.core.meta.backend.MetaOp;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes batches of {@link MetaOp}s as etcd transactions of at most {@value #MAX_TXN_OPS}
 * operations (the reference's chunking; etcd allows 128), split in order, and a chunk never holds
 * one key twice (etcd refuses that). Commits run one after the other in call order; each is bounded
 * by {@code meta_timeout} from its call, retried while etcd is briefly unavailable (a leader
 * change), and reported to the {@link CommitLedger}.
 *
 * <p>Thread-safe: {@link #commit} may be called from any thread and returns at once; the work and
 * the completion of the returned future happen on the commit executor.
 */
final class Committer {
  static final int MAX_TXN_OPS = 127;
  private static final Logger LOG = LoggerFactory.getLogger(Committer.class);

  private final EtcdCalls calls;
  private final OpCodec codec;
  private final CommitLedger ledger;
  private final Executor executor;
  private final Duration timeout;
  private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);

  Committer(
      EtcdCalls calls, OpCodec codec, CommitLedger ledger, Executor executor, Duration timeout) {
    this.calls = calls;
    this.codec = codec;
    this.ledger = ledger;
    this.executor = executor;
    this.timeout = timeout;
  }

  /**
   * Commits a batch after every earlier one.
   *
   * @param ops the changes, in order
   * @return the revision of the last transaction (etcd's current revision for an empty batch)
   */
  CompletableFuture<Long> commit(List<MetaOp> ops) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<MetaOp> batch = List.copyOf(ops);
    CompletableFuture<Long> result = new CompletableFuture<>();
    synchronized (this) {
      tail =
          tail.handleAsync((r, t) -> null, executor)
              .thenCompose(ignored -> run(batch, deadline))
              .whenCompleteAsync(
                  (revision, failure) -> {
                    if (failure == null) {
                      result.complete(revision);
                    } else {
                      result.completeExceptionally(asCellar(unwrap(failure)));
                    }
                  },
                  executor);
    }
    return result;
  }

  private CompletableFuture<Long> run(List<MetaOp> ops, long deadline) {
    return lookups(ops, deadline)
        .thenComposeAsync(
            looked -> {
              List<EtcdWrite> writes = new ArrayList<>();
              for (MetaOp op : ops) {
                byte[] value = codec.lookupFor(op).map(looked::get).orElse(null);
                writes.addAll(codec.writes(op, value));
              }
              return writeChunks(chunks(writes), 0, 0L, deadline);
            },
            executor);
  }

  /** Reads what {@link OpCodec#lookupFor} asks, in read-only transactions. */
  private CompletableFuture<Map<String, byte[]>> lookups(List<MetaOp> ops, long deadline) {
    List<String> keys = new ArrayList<>();
    for (MetaOp op : ops) {
      codec.lookupFor(op).ifPresent(keys::add);
    }
    Map<String, byte[]> found = new HashMap<>();
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (int from = 0; from < keys.size(); from += MAX_TXN_OPS) {
      List<String> part = keys.subList(from, Math.min(keys.size(), from + MAX_TXN_OPS));
      chain =
          chain.thenCompose(
              ignored -> {
                List<Op> gets = new ArrayList<>();
                for (String key : part) {
                  gets.add(Op.get(EtcdCalls.bytes(key), GetOption.DEFAULT));
                }
                return withRetry(
                        () -> calls.txn(List.of(), gets, List.of(), remaining(deadline)), deadline)
                    .thenAccept(
                        response -> {
                          for (GetResponse get : response.getGetResponses()) {
                            for (KeyValue kv : get.getKvs()) {
                              found.put(kv.getKey().toString(), kv.getValue().getBytes());
                            }
                          }
                        });
              });
    }
    return chain.thenApply(ignored -> found);
  }

  /** Splits writes in order into chunks of at most 127 with no key twice. */
  static List<List<EtcdWrite>> chunks(List<EtcdWrite> writes) {
    List<List<EtcdWrite>> chunks = new ArrayList<>();
    List<EtcdWrite> current = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    for (EtcdWrite w : writes) {
      if (current.size() == MAX_TXN_OPS || keys.contains(w.key())) {
        chunks.add(current);
        current = new ArrayList<>();
        keys.clear();
      }
      current.add(w);
      keys.add(w.key());
    }
    if (!current.isEmpty() || chunks.isEmpty()) {
      chunks.add(current);
    }
    return chunks;
  }

  private CompletableFuture<Long> writeChunks(
      List<List<EtcdWrite>> chunks, int index, long revision, long deadline) {
    if (index == chunks.size()) {
      return CompletableFuture.completedFuture(revision);
    }
    List<EtcdWrite> chunk = chunks.get(index);
    CompletableFuture<Long> written = new CompletableFuture<>();
    tryWrite(chunk, deadline, 0, false, written);
    return written.thenComposeAsync(rev -> writeChunks(chunks, index + 1, rev, deadline), executor);
  }

  /**
   * Writes a chunk; after a failure whose outcome is unknown (the leader died with the response),
   * first reads the chunk's keys: when they already hold what the chunk writes, it was applied and
   * is not written twice.
   */
  private void tryWrite(
      List<EtcdWrite> chunk,
      long deadline,
      int attempt,
      boolean maybeApplied,
      CompletableFuture<Long> result) {
    CompletableFuture<Long> step =
        maybeApplied
            ? verify(chunk, deadline)
                .thenCompose(
                    applied ->
                        applied.isPresent()
                            ? CompletableFuture.completedFuture(applied.getAsLong())
                            : writeOnce(chunk, deadline))
            : writeOnce(chunk, deadline);
    step.whenComplete(
        (revision, failure) -> {
          if (failure == null) {
            result.complete(revision);
            return;
          }
          Throwable cause = unwrap(failure);
          long backoff = Math.min(500, 20L << Math.min(attempt, 5));
          if (!retryable(cause)
              || deadline - System.nanoTime() <= TimeUnit.MILLISECONDS.toNanos(backoff)) {
            result.completeExceptionally(cause);
            return;
          }
          if (attempt == 0) {
            LOG.info("etcd txn failed ({}), retrying until meta_timeout", cause.toString());
          }
          CompletableFuture.delayedExecutor(backoff, TimeUnit.MILLISECONDS, executor)
              .execute(() -> tryWrite(chunk, deadline, attempt + 1, true, result));
        });
  }

  private CompletableFuture<Long> writeOnce(List<EtcdWrite> chunk, long deadline) {
    List<Op> ops = new ArrayList<>(chunk.size());
    for (EtcdWrite w : chunk) {
      ByteSequence key = EtcdCalls.bytes(w.key());
      ops.add(
          w.isDelete()
              ? Op.delete(key, DeleteOption.DEFAULT)
              : Op.put(key, ByteSequence.from(w.value()), PutOption.DEFAULT));
    }
    long seq = ledger.begin();
    return calls
        .txn(List.of(), ops, List.of(), remaining(deadline))
        .whenComplete(
            (response, failure) -> {
              if (failure == null) {
                ledger.succeeded(seq, response.getHeader().getRevision(), chunk);
              } else {
                ledger.uncertain(seq, chunk);
              }
            })
        .thenApply(response -> response.getHeader().getRevision());
  }

  /**
   * Whether a chunk's effect is already in etcd: every put key holds its value, every deleted key
   * is absent (a linearizable read after a leader change sees the old leader's fate).
   *
   * @return the chunk's revision when applied (the puts' common mod revision, or the current
   *     revision when the keys held these values already), empty when it must be written
   */
  private CompletableFuture<java.util.OptionalLong> verify(List<EtcdWrite> chunk, long deadline) {
    List<Op> gets = new ArrayList<>(chunk.size());
    for (EtcdWrite w : chunk) {
      gets.add(Op.get(EtcdCalls.bytes(w.key()), GetOption.DEFAULT));
    }
    return calls
        .txn(List.of(), gets, List.of(), remaining(deadline))
        .thenApply(
            response -> {
              List<GetResponse> found = response.getGetResponses();
              Set<Long> putRevisions = new HashSet<>();
              for (int i = 0; i < chunk.size(); i++) {
                EtcdWrite w = chunk.get(i);
                List<KeyValue> kvs = found.get(i).getKvs();
                if (w.isDelete() != kvs.isEmpty()) {
                  return java.util.OptionalLong.empty();
                }
                if (!w.isDelete()) {
                  if (!java.util.Arrays.equals(w.value(), kvs.get(0).getValue().getBytes())) {
                    return java.util.OptionalLong.empty();
                  }
                  putRevisions.add(kvs.get(0).getModRevision());
                }
              }
              long revision =
                  putRevisions.size() == 1
                      ? putRevisions.iterator().next()
                      : response.getHeader().getRevision();
              ledger.succeeded(ledger.begin(), revision, chunk);
              LOG.info(
                  "an uncertain etcd txn was applied at revision {}: not written again", revision);
              return java.util.OptionalLong.of(revision);
            });
  }

  /** Runs a request again while etcd is briefly unavailable, until the deadline. */
  private <T> CompletableFuture<T> withRetry(
      java.util.function.Supplier<CompletableFuture<T>> request, long deadline) {
    CompletableFuture<T> result = new CompletableFuture<>();
    attempt(request, deadline, 0, result);
    return result;
  }

  private <T> void attempt(
      java.util.function.Supplier<CompletableFuture<T>> request,
      long deadline,
      int attempt,
      CompletableFuture<T> result) {
    request
        .get()
        .whenComplete(
            (value, failure) -> {
              if (failure == null) {
                result.complete(value);
                return;
              }
              Throwable cause = unwrap(failure);
              long left = deadline - System.nanoTime();
              long backoff = Math.min(500, 20L << Math.min(attempt, 5));
              if (!retryable(cause) || left <= TimeUnit.MILLISECONDS.toNanos(backoff)) {
                result.completeExceptionally(cause);
                return;
              }
              LOG.debug("etcd request failed ({}), retrying in {} ms", cause.toString(), backoff);
              CompletableFuture.delayedExecutor(backoff, TimeUnit.MILLISECONDS, executor)
                  .execute(() -> attempt(request, deadline, attempt + 1, result));
            });
  }

  static boolean retryable(Throwable t) {
    if (t instanceof TimeoutException) {
      return true;
    }
    Status status = Status.fromThrowable(t);
    Status.Code code = status.getCode();
    return code == Status.Code.UNAVAILABLE
        || code == Status.Code.DEADLINE_EXCEEDED
        || code == Status.Code.UNKNOWN
            && (String.valueOf(t.getMessage()).contains("leader") || lostTransport(status, t));
  }

  /**
   * Whether an UNKNOWN status is the transport to an etcd member dying under a request (netty's
   * "channel closed" when the member is killed mid-call): the call's outcome is unknown, the retry
   * verifies it first.
   */
  private static boolean lostTransport(Status status, Throwable t) {
    for (Throwable c = status.getCause() != null ? status.getCause() : t.getCause();
        c != null;
        c = c.getCause()) {
      if (c instanceof java.io.IOException) {
        return true;
      }
    }
    return String.valueOf(status.getDescription()).contains("channel closed");
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
  }

  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  static CellarException asCellar(Throwable t) {
    if (t instanceof CellarException c) {
      return c;
    }
    String why;
    if (t instanceof TimeoutException) {
      why = "no answer from etcd within meta_timeout";
    } else {
      Status status = Status.fromThrowable(t);
      why =
          status.getCode() == Status.Code.UNKNOWN
              ? t.toString()
              : "etcd "
                  + status.getCode()
                  + (status.getDescription() == null ? "" : " (" + status.getDescription() + ")");
    }
    return new CellarException(StatusCode.IO_ERROR, "etcd metadata commit failed: " + why, t);
  }
}
