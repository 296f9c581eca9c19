package io.cellar.core.meta;

import io.cellar.protocol.ObjectIds;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds what a {@code del_data} deletes, with the reference's rules ({@code meta_service.cc} {@code
 * findDeleteSet}/{@code traverseToDelete}, "Note [Deleting objects and blobs"]):
 *
 * <ul>
 *   <li>an id is deleted when nothing else refers to it, or with {@code force};
 *   <li>the members of a deleted object lose that referrer; blob members are then deleted (when no
 *       other object still refers to them) even without {@code deep}; with {@code deep} member
 *       objects are too, recursively, and the recursion is always deep;
 *   <li>with {@code force} the objects that refer to a deleted id are deleted too (force, not deep,
 *       though their blob members go with them);
 *   <li>requested ids that refer to each other are handled parents first, so deleting a parent and
 *       its member together deletes both.
 * </ul>
 *
 * <p>The reference also deletes an object that is still a member when an equivalent object (same
 * signature) exists elsewhere in the cluster; with a single instance that never happens and is not
 * modelled.
 *
 * <p>Planning removes the edges of the ids it selects from the {@link MemberGraph}: the caller must
 * remove those ids from the tree right after, under the same lock. Not thread-safe.
 */
final class DeletionPlanner {
  private final MemberGraph graph;

  DeletionPlanner(MemberGraph graph) {
    this.graph = graph;
  }

  /**
   * Selects the ids to delete and detaches them from the graph.
   *
   * @param ids requested ids (objects or blobs; unknown ids are selected, harmlessly)
   * @param force delete referrers too
   * @param deep delete member objects too
   * @return the selected ids, objects and blobs, in selection order
   */
  Set<Long> plan(long[] ids, boolean force, boolean deep) {
    Set<Long> initial = new HashSet<>();
    for (long id : ids) {
      initial.add(id);
    }
    Set<Long> selected = new LinkedHashSet<>();
    for (long id : ids) {
      traverse(initial, selected, id, force, deep);
    }
    return selected;
  }

  private void traverse(
      Set<Long> initial, Set<Long> selected, long id, boolean force, boolean deep) {
    if (selected.contains(id)) {
      return;
    }
    // Requested parents first, so that their edges to this id are gone when it is judged.
    for (long parent : List.copyOf(graph.referrersOf(id))) {
      if (initial.contains(parent)) {
        traverse(initial, selected, parent, force, deep);
      }
    }
    if (force || graph.referrersOf(id).isEmpty()) {
      selected.add(id);
      List<Long> down = new ArrayList<>();
      for (long member : List.copyOf(graph.membersOf(id))) {
        graph.unlink(id, member);
        if (deep || ObjectIds.isBlob(member)) {
          down.add(member);
        }
      }
      List<Long> up = List.copyOf(graph.referrersOf(id));
      for (long parent : up) {
        graph.unlink(parent, id);
      }
      for (long member : down) {
        traverse(initial, selected, member, false, true);
      }
      if (force) {
        for (long parent : up) {
          traverse(initial, selected, parent, true, false);
        }
      }
      graph.forget(id);
    }
    initial.remove(id);
  }
}
