package io.cellar.core.meta;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongPredicate;

/**
 * Deferred {@code get_data}/{@code get_name} requests ({@code wait: true}): futures waiting for
 * objects to exist or for a name to be bound.
 *
 * <p>Not thread-safe: owned by {@link MetaTree}, touched only under its lock. The methods that find
 * satisfied waiters only collect them; the tree completes them after releasing its lock. A
 * cancelled future is dropped at the next scan, or at once through {@link #forget}.
 */
final class MetaWaiters {
  /** A request waiting for several objects. */
  static final class ObjectWaiter {
    final long[] ids;
    final CompletableFuture<ObjectNode> future;

    ObjectWaiter(long[] ids, CompletableFuture<ObjectNode> future) {
      this.ids = ids;
      this.future = future;
    }
  }

  private final Set<ObjectWaiter> objectWaiters = new LinkedHashSet<>();
  private final Map<String, List<CompletableFuture<Long>>> nameWaiters = new HashMap<>();

  void addObjects(ObjectWaiter waiter) {
    objectWaiters.add(waiter);
  }

  void addName(String name, CompletableFuture<Long> future) {
    nameWaiters.computeIfAbsent(name, k -> new ArrayList<>()).add(future);
  }

  /** Removes a waiter whose future is done (cancelled or completed elsewhere). */
  void forget(ObjectWaiter waiter) {
    objectWaiters.remove(waiter);
  }

  /** Removes a name waiter whose future is done. */
  void forgetName(String name, CompletableFuture<Long> future) {
    List<CompletableFuture<Long>> list = nameWaiters.get(name);
    if (list != null) {
      list.remove(future);
      if (list.isEmpty()) {
        nameWaiters.remove(name);
      }
    }
  }

  /** Takes out the object waiters whose ids all exist now; drops cancelled ones. */
  List<ObjectWaiter> takeReady(LongPredicate exists) {
    if (objectWaiters.isEmpty()) {
      return List.of();
    }
    List<ObjectWaiter> ready = new ArrayList<>();
    for (Iterator<ObjectWaiter> it = objectWaiters.iterator(); it.hasNext(); ) {
      ObjectWaiter w = it.next();
      if (w.future.isDone()) {
        it.remove();
        continue;
      }
      boolean all = true;
      for (long id : w.ids) {
        if (!exists.test(id)) {
          all = false;
          break;
        }
      }
      if (all) {
        it.remove();
        ready.add(w);
      }
    }
    return ready;
  }

  /** Takes out the futures waiting for a name. */
  List<CompletableFuture<Long>> takeName(String name) {
    List<CompletableFuture<Long>> list = nameWaiters.remove(name);
    return list == null ? List.of() : list;
  }

  /** Takes out every waiting future (the tree is closing). */
  List<CompletableFuture<?>> takeAll() {
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (ObjectWaiter w : objectWaiters) {
      all.add(w.future);
    }
    nameWaiters.values().forEach(all::addAll);
    objectWaiters.clear();
    nameWaiters.clear();
    return all;
  }

  /** How many waiters are registered (for leak checks). */
  int size() {
    int n = objectWaiters.size();
    for (List<CompletableFuture<Long>> l : nameWaiters.values()) {
      n += l.size();
    }
    return n;
  }
}
