package io.cellar.core.meta;

import io.cellar.core.meta.backend.MetaBackend;
import io.cellar.core.meta.backend.MetaOp;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;

/**
 * Hands the tree's changes to the {@link MetaBackend} in the order the tree made them. The tree
 * {@linkplain #enqueue queues} a batch while it holds its lock (so queue order is change order) and
 * {@linkplain #flush flushes} after releasing it; one flusher at a time calls {@link
 * MetaBackend#commit} for each batch, in queue order, and never waits for a commit to complete.
 *
 * <p>A failed commit leaves the local change in place: its future fails with a {@link
 * CellarException} carrying the backend's status and saying that the change was applied here but
 * not shared, and the failure hook is told which ops were lost (the tree marks their objects to be
 * shared again by the next {@code persist}).
 *
 * <p><b>Threading.</b> Thread-safe. {@link #enqueue} takes only this queue's own monitor, a leaf
 * lock, so it may be called under the tree's lock; {@link #flush} and {@link #close} must be called
 * without the tree's lock (a commit may fail at once and call the hook, which takes it).
 */
final class CommitQueue {
  private record Pending(List<MetaOp> ops, CompletableFuture<Void> done) {}

  private final MetaBackend backend;
  private final BiConsumer<List<MetaOp>, Throwable> onFailure;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private boolean flushing;
  private boolean closed;

  /**
   * A queue in front of a backend.
   *
   * @param backend where the batches go
   * @param onFailure told of each batch whose commit failed; called without any lock of this queue
   */
  CommitQueue(MetaBackend backend, BiConsumer<List<MetaOp>, Throwable> onFailure) {
    this.backend = backend;
    this.onFailure = onFailure;
  }

  /**
   * Queues a batch; an empty batch is done at once.
   *
   * @param ops the changes, in order; copied
   * @return completes once the backend has committed the batch
   */
  CompletableFuture<Void> enqueue(List<MetaOp> ops) {
    if (ops.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    Pending p = new Pending(List.copyOf(ops), new CompletableFuture<>());
    synchronized (queue) {
      if (closed) {
        p.done.completeExceptionally(
            new CellarException(StatusCode.ALREADY_STOPPED, "the metadata tree is closed"));
        return p.done;
      }
      queue.add(p);
    }
    return p.done;
  }

  /** Submits every queued batch to the backend, in order, unless another thread is doing so. */
  void flush() {
    while (true) {
      List<Pending> batches;
      synchronized (queue) {
        if (flushing || queue.isEmpty()) {
          return;
        }
        flushing = true;
        batches = new ArrayList<>(queue);
        queue.clear();
      }
      try {
        for (Pending p : batches) {
          submit(p);
        }
      } finally {
        synchronized (queue) {
          flushing = false;
        }
      }
    }
  }

  /** Refuses later batches and fails those still queued (AlreadyStopped). */
  void close() {
    List<Pending> dropped;
    synchronized (queue) {
      closed = true;
      dropped = new ArrayList<>(queue);
      queue.clear();
    }
    for (Pending p : dropped) {
      p.done.completeExceptionally(
          new CellarException(StatusCode.ALREADY_STOPPED, "closed before it was shared"));
    }
  }

  private void submit(Pending p) {
    CompletableFuture<Long> commit;
    try {
      commit = backend.commit(p.ops);
    } catch (RuntimeException e) {
      commit = CompletableFuture.failedFuture(e);
    }
    commit.whenComplete(
        (revision, error) -> {
          if (error == null) {
            p.done.complete(null);
            return;
          }
          Throwable cause =
              error instanceof CompletionException && error.getCause() != null
                  ? error.getCause()
                  : error;
          try {
            onFailure.accept(p.ops, cause);
          } finally {
            p.done.completeExceptionally(notShared(cause));
          }
        });
  }

  private static CellarException notShared(Throwable cause) {
    StatusCode status = cause instanceof CellarException ce ? ce.status() : StatusCode.IO_ERROR;
    return new CellarException(
        status,
        "applied on this instance but not shared with the cluster: " + cause.getMessage(),
        cause);
  }
}
