package io.cellar.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.core.memory.HostMemoryFacts.Mount;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HostMemoryFactsTest {
  @Test
  void theSelectedShmemPolicyIsTheBracketedWord() {
    assertEquals(
        "never", HostMemoryFacts.selected("always within_size advise [never] deny force\n"));
    assertEquals(
        "advise", HostMemoryFacts.selected("always within_size [advise] never deny force"));
    assertEquals("unknown", HostMemoryFacts.selected(""));
  }

  @Test
  void freeHugetlbBytesCountOnlyTwoMibPages() {
    String two =
        "HugePages_Total:     512\nHugePages_Free:      300\nHugepagesize:       2048 kB\n";
    assertEquals(300L << 21, HostMemoryFacts.hugetlbFree(two));
    String gig = "HugePages_Free:      3\nHugepagesize:    1048576 kB\n";
    assertEquals(0, HostMemoryFacts.hugetlbFree(gig));
    assertEquals(0, HostMemoryFacts.hugetlbFree(""));
  }

  @Test
  void theMountOfADirectoryIsTheLongestMatchingMountPoint() {
    String mounts =
        """
        overlay / overlay rw,relatime 0 0
        tmpfs /dev tmpfs rw,nosuid,size=65536k,mode=755 0 0
        tmpfs /dev/hugeshm tmpfs rw,relatime,size=2097152k,huge=always 0 0
        tmpfs /dev/hugeshm2 tmpfs rw,relatime 0 0
        """;
    Mount m = HostMemoryFacts.mountOf(Path.of("/dev/hugeshm/sub/.."), mounts);
    assertEquals("/dev/hugeshm", m.point());
    assertEquals("always", m.huge());
    assertTrue(m.givesHugePages());
    Mount plain = HostMemoryFacts.mountOf(Path.of("/dev/hugeshm2"), mounts);
    assertEquals("never", plain.huge());
    assertFalse(plain.givesHugePages());
    assertEquals("/", HostMemoryFacts.mountOf(Path.of("/srv/x"), mounts).point());
    assertEquals(Mount.NONE, HostMemoryFacts.mountOf(Path.of("/x"), ""));
  }

  @Test
  void thisHostIsProbedWithoutFailing() {
    HostMemoryFacts f = HostMemoryFacts.probe(Path.of("/dev/shm"));
    assertTrue(f.hugetlbFreeBytes() >= 0);
    assertFalse(f.shmemThp().isEmpty());
    assertTrue(f.describe().contains("--shm_dir /dev/shm"), f.describe());
  }
}
