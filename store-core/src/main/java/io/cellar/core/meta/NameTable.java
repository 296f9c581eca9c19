package io.cellar.core.meta;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Names of objects: name to id, and for each object the names that point to it, so that deleting an
 * object can drop its names.
 *
 * <p>Not thread-safe: owned by {@link MetaTree} and touched only under its lock.
 */
final class NameTable {
  private final TreeMap<String, Long> byName = new TreeMap<>();
  private final Map<Long, Set<String>> byObject = new HashMap<>();

  /** Binds a name, replacing its earlier binding. */
  void put(String name, long id) {
    Long old = byName.put(name, id);
    if (old != null) {
      unindex(old, name);
    }
    byObject.computeIfAbsent(id, k -> new TreeSet<>()).add(name);
  }

  /** The object a name points to, or null. */
  Long get(String name) {
    return byName.get(name);
  }

  /** Removes a name; returns whether it existed. */
  boolean drop(String name) {
    Long old = byName.remove(name);
    if (old == null) {
      return false;
    }
    unindex(old, name);
    return true;
  }

  /** Removes every name of an object and returns them. */
  List<String> dropObject(long id) {
    Set<String> names = byObject.remove(id);
    if (names == null) {
      return List.of();
    }
    names.forEach(byName::remove);
    return List.copyOf(names);
  }

  /** Names matching a predicate, in name order, at most {@code limit}. */
  Map<String, Long> list(Predicate<String> match, int limit) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (Map.Entry<String, Long> e : byName.entrySet()) {
      if (out.size() >= limit) {
        break;
      }
      if (match.test(e.getKey())) {
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  /** Drops every name. */
  void clear() {
    byName.clear();
    byObject.clear();
  }

  private void unindex(long id, String name) {
    Set<String> names = byObject.get(id);
    if (names != null) {
      names.remove(name);
      if (names.isEmpty()) {
        byObject.remove(id);
      }
    }
  }
}
