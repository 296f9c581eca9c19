package io.cellar.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Response;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseGrantResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The etcd requests the backend makes, each bounded by a timeout and each response's header checked
 * by {@link ClusterIdentity} (a failed check runs the data-loss action). The only class that calls
 * jetcd's KV and Lease clients.
 *
 * <p>Thread-safe; futures complete on jetcd's threads, so callers hop to their own executor before
 * doing real work.
 */
final class EtcdCalls {
  private final Client client;
  private final ClusterIdentity identity;
  private final Runnable onDataLoss;

  EtcdCalls(Client client, ClusterIdentity identity, Runnable onDataLoss) {
    this.client = client;
    this.identity = identity;
    this.onDataLoss = onDataLoss;
  }

  static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  Client client() {
    return client;
  }

  CompletableFuture<GetResponse> get(String key, GetOption option, Duration timeout) {
    return checked(() -> client.getKVClient().get(bytes(key), option), timeout);
  }

  /**
   * etcd's current header, not checked against what was seen before: how a reset learns the new
   * cluster's identity.
   */
  CompletableFuture<Response.Header> head(String key, Duration timeout) {
    return client
        .getKVClient()
        .get(bytes(key), GetOption.builder().withCountOnly(true).build())
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(GetResponse::getHeader);
  }

  CompletableFuture<TxnResponse> txn(
      List<Cmp> when, List<Op> then, List<Op> otherwise, Duration timeout) {
    return checked(
        () ->
            client
                .getKVClient()
                .txn()
                .If(when.toArray(Cmp[]::new))
                .Then(then.toArray(Op[]::new))
                .Else(otherwise.toArray(Op[]::new))
                .commit(),
        timeout);
  }

  CompletableFuture<PutResponse> put(String key, byte[] value, long lease, Duration timeout) {
    PutOption option =
        lease == 0 ? PutOption.DEFAULT : PutOption.builder().withLeaseId(lease).build();
    return checked(
        () -> client.getKVClient().put(bytes(key), ByteSequence.from(value), option), timeout);
  }

  CompletableFuture<LeaseGrantResponse> grant(Duration ttl, Duration timeout) {
    return checked(() -> client.getLeaseClient().grant(Math.max(1, ttl.toSeconds())), timeout);
  }

  CompletableFuture<LeaseKeepAliveResponse> keepAliveOnce(long lease, Duration timeout) {
    return checked(() -> client.getLeaseClient().keepAliveOnce(lease), timeout);
  }

  CompletableFuture<?> revoke(long lease, Duration timeout) {
    return checked(() -> client.getLeaseClient().revoke(lease), timeout);
  }

  private <R extends Response> CompletableFuture<R> checked(
      Supplier<CompletableFuture<R>> call, Duration timeout) {
    ClusterIdentity.Seen seen = identity.beforeSend();
    CompletableFuture<R> future;
    try {
      future = call.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return future
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(
            response -> {
              if (!identity.check(response.getHeader(), seen)) {
                onDataLoss.run();
              }
              return response;
            });
  }
}
