package io.cellar.core.memory;

import java.util.ArrayList;
import java.util.List;

/**
 * The order in which an arena tries its {@link ArenaBacking}s, decided from the host's {@link
 * HostMemoryFacts} and the flags, with the reason for every backing left out:
 *
 * <ol>
 *   <li>{@link ArenaBacking#HUGETLB} with {@code --hugepages}, when the free reserved hugetlb pages
 *       cover the whole arena (a hugetlb mapping reserves all its pages at {@code mmap});
 *   <li>{@link ArenaBacking#MEMFD_THP} when {@code shmem_enabled} is {@code always}, {@code
 *       within_size}, {@code advise} or {@code force};
 *   <li>{@link ArenaBacking#HUGE_TMPFS} when {@code --shm_dir} is on a tmpfs mounted {@code
 *       huge=always} or {@code huge=within_size};
 *   <li>{@link ArenaBacking#MEMFD}, always, last.
 * </ol>
 *
 * A backing that is planned but fails when the arena is made (the pool ran dry, the directory is
 * read-only) falls through to the next one, with a log line.
 *
 * <p>Immutable.
 *
 * @param order the backings to try, best first, always ending with {@link ArenaBacking#MEMFD}
 * @param skipped why each backing not in {@code order} was left out
 * @param facts what the plan was made from
 */
public record BackingPlan(List<ArenaBacking> order, List<String> skipped, HostMemoryFacts facts) {

  /** A plan of plain memfd only (embedded stores and tests). */
  public static final BackingPlan MEMFD_ONLY =
      new BackingPlan(
          List.of(ArenaBacking.MEMFD), List.of(), new HostMemoryFacts(0, "unknown", null, null));

  /**
   * Decides the order.
   *
   * @param arenaBytes the arena's length before rounding
   * @param hugetlbRequested {@code --hugepages}
   * @param facts the host
   * @return the plan
   */
  public static BackingPlan decide(
      long arenaBytes, boolean hugetlbRequested, HostMemoryFacts facts) {
    List<ArenaBacking> order = new ArrayList<>(4);
    List<String> skipped = new ArrayList<>(3);
    long hugeBytes = MemfdArena.roundUp(arenaBytes, MemfdArena.HUGE_PAGE_SIZE);
    if (!hugetlbRequested) {
      skipped.add("hugetlb: not asked for (--hugepages)");
    } else if (facts.hugetlbFreeBytes() < hugeBytes) {
      skipped.add(
          "hugetlb: "
              + (facts.hugetlbFreeBytes() >> 20)
              + " MiB of free hugetlb pages, the arena needs "
              + (hugeBytes >> 20)
              + " MiB");
    } else {
      order.add(ArenaBacking.HUGETLB);
    }
    if (HostMemoryFacts.THP_SHMEM_MODES.contains(facts.shmemThp())) {
      order.add(ArenaBacking.MEMFD_THP);
    } else {
      skipped.add("memfd_thp: shmem_enabled is " + facts.shmemThp());
    }
    if (facts.shmDir() == null) {
      skipped.add("huge_tmpfs: no --shm_dir");
    } else if (facts.shmDirMount() == null || !facts.shmDirMount().givesHugePages()) {
      HostMemoryFacts.Mount m =
          facts.shmDirMount() == null ? HostMemoryFacts.Mount.NONE : facts.shmDirMount();
      skipped.add(
          "huge_tmpfs: --shm_dir="
              + facts.shmDir()
              + " is "
              + (m.type().isEmpty()
                  ? "on no known mount"
                  : "on " + m.type() + " at " + m.point() + " with huge=" + m.huge())
              + ", not a tmpfs mounted huge=always or huge=within_size");
    } else {
      order.add(ArenaBacking.HUGE_TMPFS);
    }
    order.add(ArenaBacking.MEMFD);
    return new BackingPlan(List.copyOf(order), List.copyOf(skipped), facts);
  }

  /**
   * The plan of the older {@code hugePages} switch: hugetlb first if asked, then plain memfd.
   *
   * @param hugetlb try hugetlb first
   * @return the plan
   */
  public static BackingPlan hugetlbOrMemfd(boolean hugetlb) {
    return hugetlb
        ? new BackingPlan(
            List.of(ArenaBacking.HUGETLB, ArenaBacking.MEMFD), List.of(), MEMFD_ONLY.facts())
        : MEMFD_ONLY;
  }
}
