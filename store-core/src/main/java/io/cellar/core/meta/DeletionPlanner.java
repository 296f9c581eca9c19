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
 * <p>An object that is still a member is deleted too, without {@code force}, when an
 * <em>equivalent</em> object exists (another object with the same signature, such as a migrated
 * copy: "Note [Deleting global object and members]"): its referrers then refer to the equivalent
 * instead, so that a global object stays complete and its new member is kept by it. The reference
 * gets there by cloning the referrers onto a migrated copy when its signature arrives ({@code
 * CloneRef}) and resolving member links by signature; re-pointing at the deletion gives the same
 * deletions and the same trees. A plan that {@code prefersEquivalents} (the deletes other instances
 * made) re-points rather than forcing the referrers out as well.
 *
 * <p>Planning removes the edges of the ids it selects from the {@link MemberGraph}: the caller must
 * remove those ids from the tree right after, under the same lock. Not thread-safe.
 */
final class DeletionPlanner {
  /** Where the planner finds equivalents and re-points referrers. */
  interface Equivalents {
    /**
     * Another live object with the same signature as an object.
     *
     * @param id the object
     * @return its equivalent's id, or null
     */
    Long of(long id);

    /**
     * Makes a referrer refer to an equivalent instead of the object being deleted.
     *
     * @param referrer the referring object
     * @param deleted the object being deleted
     * @param equivalent its equivalent
     */
    void repoint(long referrer, long deleted, long equivalent);
  }

  private final MemberGraph graph;
  private final Equivalents equivalents;

  DeletionPlanner(MemberGraph graph, Equivalents equivalents) {
    this.graph = graph;
    this.equivalents = equivalents;
  }

  /**
   * Selects the ids to delete and detaches them from the graph.
   *
   * @param ids requested ids (objects or blobs; unknown ids are selected, harmlessly)
   * @param force delete referrers too
   * @param deep delete member objects too
   * @param prefersEquivalents with {@code force}, re-point the referrers of an object that has an
   *     equivalent instead of deleting them
   * @return the selected ids, objects and blobs, in selection order
   */
  Set<Long> plan(long[] ids, boolean force, boolean deep, boolean prefersEquivalents) {
    Set<Long> initial = new HashSet<>();
    for (long id : ids) {
      initial.add(id);
    }
    Set<Long> selected = new LinkedHashSet<>();
    for (long id : ids) {
      traverse(initial, selected, id, force, deep, prefersEquivalents);
    }
    return selected;
  }

  private void traverse(
      Set<Long> initial,
      Set<Long> selected,
      long id,
      boolean force,
      boolean deep,
      boolean prefersEquivalents) {
    if (selected.contains(id)) {
      return;
    }
    // Requested parents first, so that their edges to this id are gone when it is judged.
    for (long parent : graph.referrersOf(id)) {
      if (initial.contains(parent)) {
        traverse(initial, selected, parent, force, deep, prefersEquivalents);
      }
    }
    boolean unreferenced = !graph.hasReferrers(id);
    Long equivalent =
        !unreferenced && !ObjectIds.isBlob(id) && (!force || prefersEquivalents)
            ? equivalents.of(id)
            : null;
    if (force || unreferenced || equivalent != null) {
      selected.add(id);
      List<Long> down = new ArrayList<>();
      for (long member : graph.membersOf(id)) {
        graph.unlink(id, member);
        if (deep || ObjectIds.isBlob(member)) {
          down.add(member);
        }
      }
      long[] up = graph.referrersOf(id);
      for (long parent : up) {
        graph.unlink(parent, id);
        if (equivalent != null) {
          graph.link(parent, equivalent);
          equivalents.repoint(parent, id, equivalent);
        }
      }
      for (long member : down) {
        traverse(initial, selected, member, false, true, prefersEquivalents);
      }
      if (force && equivalent == null) {
        for (long parent : up) {
          traverse(initial, selected, parent, true, false, prefersEquivalents);
        }
      }
      graph.forget(id);
    }
    initial.remove(id);
  }
}
