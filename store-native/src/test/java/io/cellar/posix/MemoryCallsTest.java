package io.cellar.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SuppressWarnings("restricted")
class MemoryCallsTest {
  private static final long TWO_MIB = 2L << 20;

  @Test
  void anAlignedMappingStartsOnTheAlignmentAndSharesTheFile() throws Exception {
    int fd = FileCalls.memfdCreate("aligned", FileCalls.MFD_CLOEXEC);
    try {
      long length = 3 * TWO_MIB + 4096;
      FileCalls.ftruncate(fd, length);
      int rw = MemoryCalls.PROT_READ | MemoryCalls.PROT_WRITE;
      for (int i = 0; i < 8; i++) { // the kernel's own choice is aligned only by chance
        long a = MemoryCalls.mmapAligned(length, rw, MemoryCalls.MAP_SHARED, fd, 0, TWO_MIB);
        long b = MemoryCalls.mmap(0, length, rw, MemoryCalls.MAP_SHARED, fd, 0);
        try {
          assertEquals(0, a % TWO_MIB, "aligned: 0x" + Long.toHexString(a));
          MemorySegment.ofAddress(a).reinterpret(length).set(ValueLayout.JAVA_INT, length - 4, i);
          assertEquals(
              i,
              MemorySegment.ofAddress(b).reinterpret(length).get(ValueLayout.JAVA_INT, length - 4));
        } finally {
          MemoryCalls.munmap(a, length);
          MemoryCalls.munmap(b, length);
        }
      }
      // a length that is not a whole number of pages (a client maps an arena of the size the
      // server announced): the tail is trimmed from the end of the last page, not from mid-page
      long odd = TWO_MIB - 8;
      long c = MemoryCalls.mmapAligned(odd, rw, MemoryCalls.MAP_SHARED, fd, 0, TWO_MIB);
      try {
        assertEquals(0, c % TWO_MIB, "aligned: 0x" + Long.toHexString(c));
        MemorySegment.ofAddress(c).reinterpret(odd).set(ValueLayout.JAVA_INT, odd - 4, 7);
      } finally {
        MemoryCalls.munmap(c, odd);
      }
      assertThrows(
          IllegalArgumentException.class,
          () -> MemoryCalls.mmapAligned(4096, rw, MemoryCalls.MAP_SHARED, fd, 0, 3 * 4096));
    } finally {
      FileCalls.close(fd);
    }
  }

  @Test
  void anUnnamedFileInADirectoryLeavesNoName(@TempDir Path dir) throws Exception {
    int fd = FileCalls.open(dir.toString(), FileCalls.O_TMPFILE | FileCalls.O_RDWR, 0600);
    try {
      FileCalls.ftruncate(fd, 4096);
      try (var names = Files.list(dir)) {
        assertFalse(names.findAny().isPresent(), "no name in the directory");
      }
    } finally {
      FileCalls.close(fd);
    }
    Path named = dir.resolve("x");
    FileCalls.closeQuietly(
        FileCalls.open(named.toString(), FileCalls.O_RDWR | FileCalls.O_CREAT, 0600));
    FileCalls.unlink(named.toString());
    assertFalse(Files.exists(named));
    ErrnoException e = assertThrows(ErrnoException.class, () -> FileCalls.unlink(named.toString()));
    assertEquals(Errno.ENOENT, e.errno());
  }
}
