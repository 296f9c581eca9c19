package io.cellar.core.meta;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * The dependency edges of the tree (the reference's {@code subobjects_}/{@code supobjects_}): which
 * ids each object has as members (objects and blobs), and which objects refer to each id. Each
 * direction is a set per id, in the order the edges were made.
 *
 * <p>Stored for size, since every object has edges and a store may hold millions of objects: the
 * maps have primitive keys, and an id's edges are a bare {@code long[]} (slot 0 the count) while
 * there are at most {@link #SMALL_EDGES}, a {@code LinkedHashSet} only beyond (a blob shared by
 * many objects, where a linear search would cost too much). For the common object of a few members
 * this takes about a fifth of the memory of boxed sets.
 *
 * <p>Not thread-safe: owned by {@link MetaTree} and touched only under its lock.
 */
final class MemberGraph {
  /** An id keeps its edges in an array up to this many; more go to a set. */
  static final int SMALL_EDGES = 8;

  private static final long[] NONE = new long[0];

  private final Long2ObjectHashMap<Object> members = new Long2ObjectHashMap<>();
  private final Long2ObjectHashMap<Object> referrers = new Long2ObjectHashMap<>();

  /** Records that {@code parent} has {@code member} as a member (once, however often linked). */
  void link(long parent, long member) {
    add(members, parent, member);
    add(referrers, member, parent);
  }

  /** The members of an id, in linking order; a copy, empty when none. */
  long[] membersOf(long id) {
    return snapshot(members.get(id));
  }

  /** The objects referring to an id, in linking order; a copy, empty when none. */
  long[] referrersOf(long id) {
    return snapshot(referrers.get(id));
  }

  /** Whether any object refers to an id. */
  boolean hasReferrers(long id) {
    return referrers.containsKey(id); // an id's entry goes with its last edge
  }

  /** Removes the edge {@code parent -> member} in both directions. */
  void unlink(long parent, long member) {
    remove(members, parent, member);
    remove(referrers, member, parent);
  }

  /** Drops every remaining edge entry keyed by an id. */
  void forget(long id) {
    members.remove(id);
    referrers.remove(id);
  }

  /** Drops everything. */
  void clear() {
    members.clear();
    referrers.clear();
  }

  private static void add(Long2ObjectHashMap<Object> map, long key, long value) {
    Object edges = map.get(key);
    if (edges == null) {
      map.put(key, new long[] {1, value});
      return;
    }
    if (!(edges instanceof long[] small)) {
      setOf(edges).add(value);
      return;
    }
    int n = (int) small[0];
    for (int i = 1; i <= n; i++) {
      if (small[i] == value) {
        return;
      }
    }
    if (n == SMALL_EDGES) {
      Set<Long> set = new LinkedHashSet<>();
      for (int i = 1; i <= n; i++) {
        set.add(small[i]);
      }
      set.add(value);
      map.put(key, set);
      return;
    }
    long[] a = small;
    if (n + 1 == a.length) {
      a = Arrays.copyOf(a, Math.min(SMALL_EDGES, 2 * n) + 1);
      map.put(key, a);
    }
    a[n + 1] = value;
    a[0] = n + 1;
  }

  private static void remove(Long2ObjectHashMap<Object> map, long key, long value) {
    Object edges = map.get(key);
    if (edges == null) {
      return;
    }
    if (!(edges instanceof long[] a)) {
      Set<Long> set = setOf(edges);
      set.remove(value);
      if (set.isEmpty()) {
        map.remove(key);
      }
      return;
    }
    int n = (int) a[0];
    for (int i = 1; i <= n; i++) {
      if (a[i] == value) {
        System.arraycopy(a, i + 1, a, i, n - i); // keeps the order of the others
        a[0] = n - 1;
        if (n == 1) {
          map.remove(key);
        }
        return;
      }
    }
  }

  private static long[] snapshot(Object edges) {
    if (edges == null) {
      return NONE;
    }
    if (edges instanceof long[] a) {
      return Arrays.copyOfRange(a, 1, 1 + (int) a[0]);
    }
    return setOf(edges).stream().mapToLong(Long::longValue).toArray();
  }

  @SuppressWarnings("unchecked")
  private static Set<Long> setOf(Object edges) {
    return (Set<Long>) edges;
  }
}
