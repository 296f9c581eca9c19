package io.cellar.server.command;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Parks a request on a store future: the returned reply future is the connection's own, counted in
 * {@code deferred_requests} from now until it completes, fails, or is cancelled because the
 * connection went away. The store's future is left alone (it may be shared), so cancelling the
 * reply never disturbs other waiters.
 *
 * <p>Stateless and thread-safe.
 */
final class Parking {
  private Parking() {}

  static <T> CompletableFuture<Reply> park(
      CompletableFuture<T> source, Function<T, Reply> toReply, AtomicLong deferred) {
    CompletableFuture<Reply> reply = new CompletableFuture<>();
    deferred.incrementAndGet();
    reply.whenComplete(
        (r, t) -> {
          deferred.decrementAndGet();
          if (reply.isCancelled()) {
            source.cancel(false);
          }
        });
    source.whenComplete(
        (value, error) -> {
          if (error != null) {
            reply.completeExceptionally(error);
            return;
          }
          try {
            reply.complete(toReply.apply(value));
          } catch (RuntimeException e) {
            reply.completeExceptionally(e);
          }
        });
    return reply;
  }
}
