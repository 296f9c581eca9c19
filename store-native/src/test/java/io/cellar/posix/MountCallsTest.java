package io.cellar.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mount(2) and umount2(2) for real: needs root, skipped (saying so) otherwise. */
class MountCallsTest {
  @TempDir Path tmp;

  private static String mountsLine(Path dir) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
      String[] f = line.split(" ");
      if (f.length >= 4 && f[1].equals(dir.toString())) {
        return line;
      }
    }
    return "";
  }

  private static void assumeRoot() throws IOException {
    int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    assumeTrue(uid == 0, "mount(2) needs root; running as uid " + uid);
  }

  @Test
  void aTmpfsMountsWithItsOptionsOrWithoutAnyAndUnmounts() throws IOException {
    assumeRoot();
    Path withOptions = Files.createDirectory(tmp.resolve("with"));
    Path without = Files.createDirectory(tmp.resolve("without"));
    assertEquals(
        0, MountCalls.mountFilesystem("tmpfs", withOptions.toString(), "tmpfs", 0, "size=4m"));
    try {
      assertTrue(mountsLine(withOptions).contains("size=4096k"), mountsLine(withOptions));
      assertEquals(
          0, MountCalls.mountFilesystem("tmpfs", without.toString(), "tmpfs", 0, null), "no data");
      assertTrue(mountsLine(without).startsWith("tmpfs "), mountsLine(without));
    } finally {
      int a = MountCalls.umount2(withOptions.toString(), MountCalls.UMOUNT_NOFOLLOW);
      int b = MountCalls.umount2(without.toString(), MountCalls.UMOUNT_NOFOLLOW);
      assertEquals(0, a);
      assertEquals(0, b);
    }
    assertEquals("", mountsLine(withOptions));
    assertEquals("", mountsLine(without));
    assertEquals(
        Errno.EINVAL,
        MountCalls.umount2(withOptions.toString(), MountCalls.UMOUNT_NOFOLLOW),
        "no longer a mount point");
  }
}
