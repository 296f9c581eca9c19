package io.cellar.core.spill;

import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * Cold blobs (sealed, unreferenced, unpinned, in memory) in the order they became cold, oldest
 * first: the order spill victims are taken in. Adding an id that is present moves it to the young
 * end.
 *
 * <p>Not thread-safe: the blob store guards it with its own lock.
 */
public final class ColdBlobLru {
  private final LinkedHashSet<Long> ids = new LinkedHashSet<>();

  /** An empty list. */
  public ColdBlobLru() {}

  /**
   * Records that a blob became cold now.
   *
   * @param id the blob id
   */
  public void add(long id) {
    ids.remove(id);
    ids.add(id);
  }

  /**
   * Forgets a blob (it was referenced, pinned, spilled or deleted).
   *
   * @param id the blob id
   * @return true when it was listed
   */
  public boolean remove(long id) {
    return ids.remove(id);
  }

  /**
   * Takes the blob that has been cold the longest.
   *
   * @param missing the value to answer when the list is empty
   * @return the oldest id, removed from the list, or {@code missing}
   */
  public long pollOldest(long missing) {
    Iterator<Long> it = ids.iterator();
    if (!it.hasNext()) {
      return missing;
    }
    long id = it.next();
    it.remove();
    return id;
  }

  /**
   * Whether a blob is listed.
   *
   * @param id the blob id
   * @return true when cold
   */
  public boolean contains(long id) {
    return ids.contains(id);
  }

  /**
   * The number of cold blobs.
   *
   * @return the count
   */
  public int size() {
    return ids.size();
  }
}
