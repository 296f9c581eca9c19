package io.cellar.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.core.memory.HostMemoryFacts.Mount;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackingPlanTest {
  private static final long GIB = 1L << 30;
  private static final Path DIR = Path.of("/dev/hugeshm");
  private static final Mount HUGE =
      new Mount("/dev/hugeshm", "tmpfs", "rw,size=2097152k,huge=always");
  private static final Mount PLAIN = new Mount("/dev/shm", "tmpfs", "rw,nosuid,nodev");

  private static HostMemoryFacts facts(long hugetlb, String thp, Path dir, Mount mount) {
    return new HostMemoryFacts(hugetlb, thp, dir, mount);
  }

  @Test
  void thisMachinesFactsGivePlainMemfdWithEveryReasonNamed() {
    BackingPlan p = BackingPlan.decide(GIB, false, facts(0, "never", null, Mount.NONE));
    assertEquals(List.of(ArenaBacking.MEMFD), p.order());
    assertEquals(3, p.skipped().size(), p.skipped().toString());
    assertTrue(p.skipped().get(0).contains("--hugepages"), p.skipped().toString());
    assertTrue(p.skipped().get(1).contains("shmem_enabled is never"), p.skipped().toString());
    assertTrue(p.skipped().get(2).contains("no --shm_dir"), p.skipped().toString());
  }

  @Test
  void hugetlbComesFirstOnlyWhenAskedForAndTheReservedPagesCoverTheArena() {
    assertEquals(
        List.of(ArenaBacking.HUGETLB, ArenaBacking.MEMFD),
        BackingPlan.decide(GIB + 1, true, facts(GIB + (2 << 20), "never", null, Mount.NONE))
            .order(),
        "1 GiB + 1 byte rounds to 1 GiB + 2 MiB, which is free");
    BackingPlan tooFew = BackingPlan.decide(GIB + 1, true, facts(GIB, "never", null, Mount.NONE));
    assertEquals(List.of(ArenaBacking.MEMFD), tooFew.order());
    assertTrue(
        tooFew.skipped().get(0).contains("1024 MiB of free hugetlb pages"), tooFew.toString());
    assertEquals(
        List.of(ArenaBacking.MEMFD),
        BackingPlan.decide(GIB, false, facts(4 * GIB, "never", null, Mount.NONE)).order(),
        "reserved pages are not taken unasked");
  }

  @Test
  void transparentHugePagesOnAMemfdWhenShmemEnabledAllowsThem() {
    for (String mode : List.of("always", "within_size", "advise", "force")) {
      assertEquals(
          List.of(ArenaBacking.MEMFD_THP, ArenaBacking.MEMFD),
          BackingPlan.decide(GIB, false, facts(0, mode, null, Mount.NONE)).order(),
          mode);
    }
    for (String mode : List.of("never", "deny", "unknown")) {
      assertEquals(
          List.of(ArenaBacking.MEMFD),
          BackingPlan.decide(GIB, false, facts(0, mode, null, Mount.NONE)).order(),
          mode);
    }
  }

  @Test
  void aHugeTmpfsDirectoryAfterTransparentHugePagesAndBeforePlainMemfd() {
    assertEquals(
        List.of(ArenaBacking.HUGE_TMPFS, ArenaBacking.MEMFD),
        BackingPlan.decide(GIB, false, facts(0, "never", DIR, HUGE)).order());
    assertEquals(
        List.of(
            ArenaBacking.HUGETLB,
            ArenaBacking.MEMFD_THP,
            ArenaBacking.HUGE_TMPFS,
            ArenaBacking.MEMFD),
        BackingPlan.decide(GIB, true, facts(2 * GIB, "advise", DIR, HUGE)).order(),
        "every rung, in order");
    Mount within = new Mount("/dev/hugeshm", "tmpfs", "rw,huge=within_size");
    assertEquals(
        ArenaBacking.HUGE_TMPFS,
        BackingPlan.decide(GIB, false, facts(0, "never", DIR, within)).order().getFirst());
  }

  @Test
  void aShmDirThatGivesNoHugePagesIsLeftOutWithTheReason() {
    BackingPlan plain =
        BackingPlan.decide(GIB, false, facts(0, "never", Path.of("/dev/shm"), PLAIN));
    assertEquals(List.of(ArenaBacking.MEMFD), plain.order());
    assertTrue(
        plain.skipped().get(2).contains("on tmpfs at /dev/shm with huge=never"), plain.toString());
    Mount advise = new Mount("/x", "tmpfs", "rw,huge=advise");
    assertEquals(
        List.of(ArenaBacking.MEMFD),
        BackingPlan.decide(GIB, false, facts(0, "never", Path.of("/x"), advise)).order(),
        "clients do not advise");
    Mount ext4 = new Mount("/", "ext4", "rw,relatime");
    BackingPlan disk = BackingPlan.decide(GIB, false, facts(0, "never", Path.of("/srv"), ext4));
    assertTrue(disk.skipped().get(2).contains("on ext4 at /"), disk.toString());
  }
}
