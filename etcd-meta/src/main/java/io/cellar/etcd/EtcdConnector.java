package io.cellar.etcd;

import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up as the reference's {@code EtcdLauncher::LaunchEtcdServer} and probe loop: probe the
 * endpoints up to {@value #FIRST_PROBES} times a second apart (a probe is a range of the prefix
 * with limit 1); when etcd never answers, launch a local one ({@link EtcdLauncher}); then probe
 * until {@code meta_timeout}.
 *
 * <p>Stateless and thread-safe; {@link #connect} blocks, bounded by its deadline.
 */
final class EtcdConnector {
  static final int FIRST_PROBES = 5;
  private static final Logger LOG = LoggerFactory.getLogger(EtcdConnector.class);

  private EtcdConnector() {}

  /**
   * A client on a live etcd.
   *
   * @param client the client, owned by the caller
   * @param launcher the etcd launched for it, or null when the endpoint answered
   */
  record Connected(Client client, EtcdLauncher launcher) {}

  /**
   * Connects.
   *
   * @param options the flags
   * @param layout where to probe
   * @param identity learns the cluster's id from the probes
   * @param deadline {@link System#nanoTime} bound
   * @return the client (and the launched etcd)
   * @throws CellarException (IOError) when no etcd answers in time, (EtcdError) when launching
   *     fails
   */
  static Connected connect(
      EtcdOptions options, KeyLayout layout, ClusterIdentity identity, long deadline) {
    Client client = build(options.metaTimeout(), options.endpointTexts());
    EtcdCalls calls = new EtcdCalls(client, identity, () -> {});
    boolean answered = false;
    for (int i = 0; i < FIRST_PROBES && !answered && System.nanoTime() < deadline; i++) {
      answered = probe(calls, layout, Duration.ofSeconds(1));
    }
    EtcdLauncher launcher = null;
    if (!answered) {
      LOG.info("etcd at {} does not answer: launching a local etcd", options.endpoints());
      client.close();
      launcher =
          EtcdLauncher.launch(
              options,
              options.endpoints().get(0),
              Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      client = build(options.metaTimeout(), launcher.endpoint().toString());
      calls = new EtcdCalls(client, identity, () -> {});
    } else if (!options.skipLaunchEtcd()) {
      LOG.warn(
          "skip_launch_etcd=false with a live etcd: joining it as a new member is not supported,"
              + " using {}",
          options.endpoints());
    }
    while (!probe(calls, layout, Duration.ofSeconds(1))) {
      if (System.nanoTime() >= deadline) {
        client.close();
        if (launcher != null) {
          launcher.close();
        }
        throw new CellarException(
            StatusCode.IO_ERROR,
            "Failed to startup meta service, please check your etcd: no answer from "
                + options.endpoints()
                + " within meta_timeout");
      }
    }
    return new Connected(client, launcher);
  }

  /**
   * A jetcd client that never holds a request back: with {@code waitForReady} off a request fails
   * at once while etcd is unreachable (the callers retry until their deadline) instead of waiting
   * in gRPC to be sent after its caller gave up; and every unary request carries a gRPC deadline,
   * so none outlives the caller's timeout on the wire either. Together they keep a commit that was
   * reported as failed from being applied later.
   */
  static Client build(Duration requestTimeout, String... endpoints) {
    return Client.builder()
        .endpoints(endpoints)
        .waitForReady(false)
        .interceptor(new UnaryDeadline(requestTimeout))
        .connectTimeout(Duration.ofSeconds(1))
        // etcd refuses pings more often than every 5 s (--grpc-keepalive-min-time)
        .keepaliveTime(Duration.ofSeconds(10))
        .keepaliveTimeout(Duration.ofSeconds(5))
        .retryMaxAttempts(2)
        .retryMaxDuration(Duration.ofSeconds(2))
        .build();
  }

  /** Gives every unary gRPC call that has none a deadline. */
  private record UnaryDeadline(Duration timeout) implements ClientInterceptor {
    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(
        MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      if (method.getType() == MethodDescriptor.MethodType.UNARY && options.getDeadline() == null) {
        options = options.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
      return next.newCall(method, options);
    }
  }

  /** One probe; a failed one takes the whole timeout, so probes stay about that far apart. */
  private static boolean probe(EtcdCalls calls, KeyLayout layout, Duration timeout) {
    long start = System.nanoTime();
    try {
      calls
          .get(layout.root(), GetOption.builder().withLimit(1).build(), timeout)
          .get(timeout.toMillis() + 100, TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException | TimeoutException e) {
      long rest = timeout.toNanos() - (System.nanoTime() - start);
      if (rest > 0) {
        LockSupport.parkNanos(rest); // a refused connection fails at once
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CellarException(StatusCode.IO_ERROR, "interrupted probing etcd", e);
    }
  }
}
