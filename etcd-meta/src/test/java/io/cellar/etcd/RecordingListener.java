package io.cellar.etcd;

import static org.junit.jupiter.api.Assertions.fail;

import io.cellar.core.meta.backend.InstanceRecord;
import io.cellar.core.meta.backend.MetaListener;
import io.cellar.core.meta.backend.MetaOp;
import io.cellar.core.meta.backend.Registration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A listener that records every call, for tests; {@link #await} blocks on a condition (signalled by
 * each call) until the record satisfies a predicate, bounded by a timeout.
 *
 * <p>Thread-safe.
 */
final class RecordingListener implements MetaListener {
  /** One recorded call. */
  sealed interface Call {}

  record Changes(long revision, List<MetaOp> ops, String thread) implements Call {}

  record Joined(InstanceRecord instance) implements Call {}

  record Lost(long instanceId, long atNanos) implements Call {}

  record Reset(Registration registration) implements Call {}

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final List<Call> calls = new ArrayList<>();

  private void add(Call call) {
    lock.lock();
    try {
      calls.add(call);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void onChanges(long revision, List<MetaOp> ops) {
    add(new Changes(revision, ops, Thread.currentThread().getName()));
  }

  @Override
  public void onInstanceJoined(InstanceRecord instance) {
    add(new Joined(instance));
  }

  @Override
  public void onInstanceLost(long instanceId) {
    add(new Lost(instanceId, System.nanoTime()));
  }

  @Override
  public void onReset(Registration registration) {
    add(new Reset(registration));
  }

  List<Call> calls() {
    lock.lock();
    try {
      return List.copyOf(calls);
    } finally {
      lock.unlock();
    }
  }

  List<Changes> changes() {
    return calls().stream().filter(c -> c instanceof Changes).map(c -> (Changes) c).toList();
  }

  List<MetaOp> ops() {
    return changes().stream().flatMap(c -> c.ops().stream()).toList();
  }

  List<Lost> losses() {
    return calls().stream().filter(c -> c instanceof Lost).map(c -> (Lost) c).toList();
  }

  List<Reset> resets() {
    return calls().stream().filter(c -> c instanceof Reset).map(c -> (Reset) c).toList();
  }

  /**
   * Waits until the record satisfies a condition.
   *
   * @param what for the failure message
   * @param timeout the bound
   * @param condition the condition on every call so far
   */
  void await(String what, Duration timeout, Predicate<List<Call>> condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (!condition.test(calls)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          fail("timed out after " + timeout + " waiting for " + what + "; calls: " + calls);
        }
        changed.await(left, TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail("interrupted waiting for " + what);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits a bounded time during which a condition must stay false (the way to check that something
   * does not happen).
   *
   * @param what for the failure message
   * @param duration how long to watch
   * @param condition what must not happen
   */
  void awaitAbsence(String what, Duration duration, Predicate<List<Call>> condition) {
    long deadline = System.nanoTime() + duration.toNanos();
    lock.lock();
    try {
      while (!condition.test(calls)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        changed.await(left, TimeUnit.NANOSECONDS);
      }
      fail(what + " happened: " + calls);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail("interrupted waiting for " + what);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until the ops delivered so far contain all of some ops.
   *
   * @param expected the ops
   * @param timeout the bound
   */
  void awaitOps(List<MetaOp> expected, Duration timeout) {
    await(
        "ops " + expected,
        timeout,
        calls ->
            calls.stream()
                .filter(c -> c instanceof Changes)
                .flatMap(c -> ((Changes) c).ops().stream())
                .toList()
                .containsAll(expected));
  }
}
