package io.cellar.core.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What the host offers for huge-page arenas: free reserved hugetlb memory, the transparent huge
 * page policy for shared memory, and the file system of {@code --shm_dir}. {@link #probe} reads
 * them from {@code /proc} and {@code /sys}; tests build the record by hand.
 *
 * <p>Immutable.
 *
 * @param hugetlbFreeBytes free 2 MiB hugetlb pages × 2 MiB ({@code HugePages_Free} in {@code
 *     /proc/meminfo}, when {@code Hugepagesize} is 2048 kB; else 0)
 * @param shmemThp the selected value of {@code /sys/kernel/mm/transparent_hugepage/shmem_enabled}
 *     ({@code always}, {@code within_size}, {@code advise}, {@code never}, {@code deny}, {@code
 *     force}), or {@code unknown}
 * @param shmDir the {@code --shm_dir} directory, or null when not given
 * @param shmDirMount the mount holding {@code shmDir} ({@link Mount#NONE} when not found)
 */
public record HostMemoryFacts(
    long hugetlbFreeBytes, String shmemThp, Path shmDir, Mount shmDirMount) {

  /**
   * One line of {@code /proc/mounts}.
   *
   * @param point the mount point
   * @param type the file system type, e.g. {@code tmpfs}
   * @param options the comma-separated options, e.g. {@code rw,relatime,size=2097152k,huge=always}
   */
  public record Mount(String point, String type, String options) {
    /** No mount found. */
    public static final Mount NONE = new Mount("", "", "");

    /**
     * The value of the {@code huge=} option.
     *
     * @return for example {@code always}; {@code never} when absent
     */
    public String huge() {
      for (String o : options.split(",")) {
        if (o.startsWith("huge=")) {
          return o.substring(5);
        }
      }
      return "never";
    }

    /**
     * Whether files here get 2 MiB pages on every write and fault: a tmpfs mounted {@code
     * huge=always} or {@code huge=within_size} (not {@code advise}: clients do not advise).
     *
     * @return true for such a mount
     */
    public boolean givesHugePages() {
      return type.equals("tmpfs") && (huge().equals("always") || huge().equals("within_size"));
    }
  }

  /**
   * Reads the facts of this host.
   *
   * @param shmDir the {@code --shm_dir} directory, or null
   * @return the facts; unreadable files count as "nothing offered"
   */
  public static HostMemoryFacts probe(Path shmDir) {
    return new HostMemoryFacts(
        hugetlbFree(read(Path.of("/proc/meminfo"))),
        selected(read(Path.of("/sys/kernel/mm/transparent_hugepage/shmem_enabled"))),
        shmDir,
        shmDir == null ? Mount.NONE : mountOf(shmDir, read(Path.of("/proc/mounts"))));
  }

  /**
   * Free hugetlb bytes from {@code /proc/meminfo}'s text, counting only 2 MiB pages.
   *
   * @param meminfo the file's content
   * @return {@code HugePages_Free × 2 MiB}, or 0
   */
  static long hugetlbFree(String meminfo) {
    long free = 0;
    long pageKb = 0;
    for (String line : meminfo.split("\n")) {
      String[] parts = line.trim().split("\\s+");
      if (parts.length >= 2 && parts[0].equals("HugePages_Free:")) {
        free = Long.parseLong(parts[1]);
      } else if (parts.length >= 2 && parts[0].equals("Hugepagesize:")) {
        pageKb = Long.parseLong(parts[1]);
      }
    }
    return pageKb == 2048 ? free * MemfdArena.HUGE_PAGE_SIZE : 0;
  }

  /**
   * The bracketed (selected) word of a sysfs choice, e.g. {@code never} from {@code "always
   * within_size advise [never] deny force"}.
   *
   * @param choice the file's content
   * @return the selected word, or {@code unknown}
   */
  static String selected(String choice) {
    int open = choice.indexOf('[');
    int close = choice.indexOf(']', open + 1);
    return open < 0 || close < 0
        ? "unknown"
        : choice.substring(open + 1, close).trim().toLowerCase(Locale.ROOT);
  }

  /**
   * The mount that holds a directory: the {@code /proc/mounts} entry with the longest mount point
   * that is the directory or one of its parents (the last such line wins, as the kernel stacks
   * them).
   *
   * @param dir the directory (made absolute and normalised)
   * @param mounts the content of {@code /proc/mounts}
   * @return the mount, or {@link Mount#NONE}
   */
  static Mount mountOf(Path dir, String mounts) {
    Path target = dir.toAbsolutePath().normalize();
    Mount best = Mount.NONE;
    int bestLength = -1;
    for (String line : mounts.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 4) {
        continue;
      }
      Path point = Path.of(f[1].replace("\\040", " "));
      if (target.startsWith(point) && point.toString().length() >= bestLength) {
        best = new Mount(point.toString(), f[2], f[3]);
        bestLength = point.toString().length();
      }
    }
    return best;
  }

  private static String read(Path p) {
    try {
      return String.join("\n", Files.readAllLines(p));
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /**
   * The facts as one log phrase.
   *
   * @return for example {@code hugetlb free 0 MiB, shmem_enabled never, --shm_dir unset}
   */
  public String describe() {
    return "hugetlb free "
        + (hugetlbFreeBytes >> 20)
        + " MiB, shmem_enabled "
        + shmemThp
        + ", --shm_dir "
        + (shmDir == null
            ? "unset"
            : shmDir + " (" + (shmDirMount.type().isEmpty() ? "no mount" : mountText()) + ")");
  }

  private String mountText() {
    return shmDirMount.type() + " at " + shmDirMount.point() + ", huge=" + shmDirMount.huge();
  }

  /** The values {@code shmem_enabled} takes that give a memfd huge pages when advised. */
  static final List<String> THP_SHMEM_MODES = List.of("always", "within_size", "advise", "force");
}
