package io.cellar.core.meta;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The dependency edges of the tree (the reference's {@code subobjects_}/{@code supobjects_}): which
 * ids each object has as members (objects and blobs), and which objects refer to each id.
 *
 * <p>Not thread-safe: owned by {@link MetaTree} and touched only under its lock.
 */
final class MemberGraph {
  private final Map<Long, Set<Long>> members = new HashMap<>();
  private final Map<Long, Set<Long>> referrers = new HashMap<>();

  /** Records that {@code parent} has {@code member} as a member. */
  void link(long parent, long member) {
    members.computeIfAbsent(parent, k -> new LinkedHashSet<>()).add(member);
    referrers.computeIfAbsent(member, k -> new LinkedHashSet<>()).add(parent);
  }

  /** The members of an id; a live view, empty when none. */
  Set<Long> membersOf(long id) {
    Set<Long> s = members.get(id);
    return s == null ? Set.of() : s;
  }

  /** The objects referring to an id; a live view, empty when none. */
  Set<Long> referrersOf(long id) {
    Set<Long> s = referrers.get(id);
    return s == null ? Set.of() : s;
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

  private static void remove(Map<Long, Set<Long>> map, long key, long value) {
    Set<Long> s = map.get(key);
    if (s != null) {
      s.remove(value);
      if (s.isEmpty()) {
        map.remove(key);
      }
    }
  }
}
