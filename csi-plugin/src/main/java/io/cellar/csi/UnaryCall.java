package io.cellar.csi;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one unary CSI call: the answer, or a gRPC status with a readable message. A status thrown by
 * the handler is passed on; anything else becomes INTERNAL and is logged, so a bug in one call
 * never takes the server down.
 */
final class UnaryCall {

  private static final Logger LOG = LoggerFactory.getLogger(UnaryCall.class);

  private UnaryCall() {}

  static <T> void answer(String method, StreamObserver<T> observer, Supplier<T> handler) {
    T response;
    try {
      response = handler.get();
    } catch (StatusRuntimeException e) {
      LOG.debug("{}: {}", method, e.getStatus());
      observer.onError(e);
      return;
    } catch (RuntimeException e) {
      LOG.warn("{} failed", method, e);
      observer.onError(
          Status.INTERNAL.withDescription(method + ": " + e).withCause(e).asRuntimeException());
      return;
    }
    observer.onNext(response);
    observer.onCompleted();
  }

  static StatusRuntimeException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
  }
}
