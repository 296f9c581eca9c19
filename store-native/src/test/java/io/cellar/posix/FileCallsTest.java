package io.cellar.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

@SuppressWarnings("restricted")
class FileCallsTest {
  @Test
  void aFailedCallNamesTheCallAndTheCapturedErrno() {
    ErrnoException e = assertThrows(ErrnoException.class, () -> FileCalls.ftruncate(-1, 10));
    assertEquals(Errno.EBADF, e.errno());
    assertTrue(e.getMessage().startsWith("ftruncate(fd=-1, 10) failed: EBADF ("), e.getMessage());
    assertTrue(e.getMessage().toLowerCase().contains("bad file"), e.getMessage());
    assertEquals(Errno.EINVAL, MemoryCalls.madvise(4095, 10, MemoryCalls.MADV_DONTNEED));
    assertEquals("errno 4242", Errno.name(4242));
  }

  @Test
  void aMemfdIsWrittenMappedAndHolePunched() throws Exception {
    long page = MemoryCalls.pageSize();
    int fd = FileCalls.memfdCreate("native-test", FileCalls.MFD_CLOEXEC);
    try {
      FileCalls.ftruncate(fd, 4 * page);
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment bytes = arena.allocate(page);
        bytes.fill((byte) 7);
        FileCalls.pwriteFully(fd, bytes, page);
      }
      long address =
          MemoryCalls.mmap(0, 4 * page, MemoryCalls.PROT_READ, MemoryCalls.MAP_SHARED, fd, 0);
      try {
        MemorySegment view = MemorySegment.ofAddress(address).reinterpret(4 * page);
        assertEquals(7, view.get(ValueLayout.JAVA_BYTE, page + 5));
        assertEquals(1, MemoryCalls.residentPages(address, 4 * page));
        int mode = FileCalls.FALLOC_FL_PUNCH_HOLE | FileCalls.FALLOC_FL_KEEP_SIZE;
        assertEquals(0, FileCalls.fallocate(fd, mode, page, page));
        assertEquals(0, MemoryCalls.residentPages(address, 4 * page), "the page went back");
        assertEquals(0, view.get(ValueLayout.JAVA_BYTE, page + 5), "and reads as zero");
      } finally {
        MemoryCalls.munmap(address, 4 * page);
      }
      assertTrue(FileCalls.isOpen(fd));
    } finally {
      FileCalls.close(fd);
    }
    assertFalse(FileCalls.isOpen(fd));
    assertThrows(ErrnoException.class, () -> FileCalls.close(fd));
    FileCalls.closeQuietly(fd);
  }
}
