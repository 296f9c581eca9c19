package io.cellar.core.meta;

import io.cellar.core.meta.backend.MetaOp;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectIds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The names of a {@link MetaTree}'s objects ({@code reference/vineyard-ipc.md} §2.5): only
 * persisted objects have names; binding and dropping one is visible here at once and shared with
 * the cluster, as the tree's other changes are; deleting an object drops its names.
 *
 * <p><b>Threading.</b> Thread-safe: every method holds the tree's lock for an in-memory update or
 * read, and commits after releasing it. Futures from {@link #await} complete outside the lock, on
 * the thread whose {@link #put} (or whose applied remote change) bound the name, or at once.
 */
public final class MetaNames {
  private final MetaTree tree;

  MetaNames(MetaTree tree) {
    this.tree = tree;
  }

  /**
   * Names a persisted object ({@code put_name}), replacing the name's earlier binding; sets the
   * object's {@code __name}. Both are visible here at once and shared.
   *
   * @param name the name
   * @param id the object
   * @return the commit
   * @throws CellarException Invalid for a blob or a transient object, ObjectNotExists (12) for an
   *     unknown object
   */
  public CompletableFuture<Void> put(String name, long id) {
    if (ObjectIds.isBlob(id)) {
      throw CellarException.invalid("blobs cannot have name: " + ObjectIds.toText(id));
    }
    List<CompletableFuture<Long>> ready;
    CompletableFuture<Void> shared;
    synchronized (tree.lock) {
      List<MetaOp> ops = new ArrayList<>();
      tree.table.putName(name, tree.table.require(id), ops);
      shared = tree.commits.enqueue(ops);
      ready = tree.waiters.takeName(name);
    }
    tree.commits.flush();
    for (CompletableFuture<Long> f : ready) {
      f.complete(id);
    }
    return shared;
  }

  /**
   * The object a name points to ({@code get_name}).
   *
   * @param name the name
   * @return the object id
   * @throws CellarException ObjectNotExists (12) for an unknown name
   */
  public long get(String name) {
    synchronized (tree.lock) {
      Long id = tree.table.name(name);
      if (id == null) {
        throw CellarException.notExists("name '" + name + "' does not exist");
      }
      return id;
    }
  }

  /**
   * Completes with the object id once the name exists ({@code get_name} with {@code wait}): at
   * once, or on the thread whose {@link #put} binds it. Cancelling unregisters it.
   *
   * @param name the name
   * @return the future id
   */
  public CompletableFuture<Long> await(String name) {
    CompletableFuture<Long> future = new CompletableFuture<>();
    synchronized (tree.lock) {
      Long id = tree.table.name(name);
      if (id != null) {
        future.complete(id);
        return future;
      }
      tree.waiters.addName(name, future);
    }
    future.whenComplete(
        (r, e) -> {
          synchronized (tree.lock) {
            tree.waiters.forgetName(name, future);
          }
        });
    return future;
  }

  /**
   * Names matching a pattern ({@code list_name}).
   *
   * @param pattern an fnmatch glob, or a whole-name regex when {@code regex}
   * @param regex whether the pattern is a regular expression
   * @param limit the most entries; 0 or less gives none
   * @return a new map, name to id, in name order
   * @throws CellarException Invalid for a malformed regular expression
   */
  public Map<String, Long> list(String pattern, boolean regex, int limit) {
    Predicate<String> match = TypenameMatcher.compile(pattern, regex);
    synchronized (tree.lock) {
      return tree.table.listNames(match, Math.max(0, limit));
    }
  }

  /**
   * Removes a name ({@code drop_name}) and the object's {@code __name}, here at once, and shares
   * that; an unknown name is not an error.
   *
   * @param name the name
   * @return the commit (done at once for an unknown name)
   */
  public CompletableFuture<Void> drop(String name) {
    CompletableFuture<Void> shared;
    synchronized (tree.lock) {
      List<MetaOp> ops = new ArrayList<>();
      tree.table.dropName(name, ops);
      shared = tree.commits.enqueue(ops);
    }
    tree.commits.flush();
    return shared;
  }
}
