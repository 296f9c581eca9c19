package io.cellar.core.memory;

/**
 * What kind of memory holds an arena's pages, in the order the store prefers them ({@link
 * BackingPlan}). Every kind is one file passed to clients by fd and mapped {@code MAP_SHARED}, so a
 * client sees no difference but speed: with 2 MiB pages a fresh mapping takes one fault per 2 MiB
 * instead of one per 4 KiB.
 *
 * <p>Immutable.
 */
public enum ArenaBacking {
  /** A {@code memfd_create(MFD_HUGETLB|MFD_HUGE_2MB)} file: 2 MiB pages from the reserved pool. */
  HUGETLB("hugetlb"),

  /**
   * A plain memfd mapped with {@code madvise(MADV_HUGEPAGE)}: transparent huge pages, when the
   * host's {@code shmem_enabled} allows them.
   */
  MEMFD_THP("memfd_thp"),

  /**
   * An unnamed file ({@code O_TMPFILE}, or created and unlinked) on a tmpfs mounted {@code
   * huge=always} or {@code huge=within_size} ({@code --shm_dir}): the kernel gives it 2 MiB pages.
   */
  HUGE_TMPFS("huge_tmpfs"),

  /** A plain {@code memfd_create} file with 4 KiB pages. */
  MEMFD("memfd");

  private final String label;

  ArenaBacking(String label) {
    this.label = label;
  }

  /**
   * The name reported by {@code instance_status} ({@code memory_backing}) and the metrics.
   *
   * @return for example {@code huge_tmpfs}
   */
  public String label() {
    return label;
  }

  /**
   * Whether the arena's pages are 2 MiB: its size, mappings and trimmed ranges are 2 MiB aligned.
   *
   * @return false only for {@link #MEMFD}
   */
  public boolean hugePages() {
    return this != MEMFD;
  }

  /**
   * Whether the file takes {@code pwrite} (hugetlbfs does not), so it can be prefilled.
   *
   * @return false only for {@link #HUGETLB}
   */
  public boolean writable() {
    return this != HUGETLB;
  }
}
