package io.cellar.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.posix.Errno;
import io.cellar.posix.ErrnoException;
import io.cellar.posix.MemoryCalls;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemfdArenaTest {
  private static final long MB = 1L << 20;

  @Test
  void aSecondMappingOfTheFdSeesTheSameBytes() throws ErrnoException {
    try (MemfdArena arena = MemfdArena.create("test", 4 * MB, false, false)) {
      assertEquals(4 * MB, arena.size());
      assertEquals(0, arena.address() % MemoryCalls.pageSize());
      long other =
          MemoryCalls.mmap(
              0,
              arena.size(),
              MemoryCalls.PROT_READ | MemoryCalls.PROT_WRITE,
              MemoryCalls.MAP_SHARED,
              arena.fd(),
              0);
      try {
        MemorySegment second = view(other, arena.size());
        arena.segment().set(ValueLayout.JAVA_LONG, 4096, 0x1122334455667788L);
        assertEquals(0x1122334455667788L, second.get(ValueLayout.JAVA_LONG, 4096));
        second.set(ValueLayout.JAVA_BYTE, arena.size() - 1, (byte) 7);
        assertEquals(7, arena.segment().get(ValueLayout.JAVA_BYTE, arena.size() - 1));
      } finally {
        MemoryCalls.munmap(other, arena.size());
      }
    }
  }

  @Test
  void theProcFdPathOpensTheSameFile() throws IOException {
    try (MemfdArena arena = MemfdArena.create("proc-view", 2 * MB, false, false)) {
      arena.segment().setString(MB, "hello cellar");
      Path fdPath = Path.of("/proc/self/fd/" + arena.fd());
      assertTrue(Files.readSymbolicLink(fdPath).toString().contains("memfd:proc-view"));
      try (FileChannel ch =
          FileChannel.open(fdPath, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        assertEquals(2 * MB, ch.size());
        ByteBuffer buf = ByteBuffer.allocate(12);
        ch.read(buf, MB);
        assertEquals(
            "hello cellar", new String(buf.array(), java.nio.charset.StandardCharsets.US_ASCII));
        ch.write(ByteBuffer.wrap(new byte[] {42}), 3);
      }
      assertEquals(42, arena.segment().get(ValueLayout.JAVA_BYTE, 3));
    }
  }

  @Test
  void aFourGibArenaIsTouchedLazily() throws IOException {
    long size = 4L << 30;
    long before = rssShmemKb();
    try (MemfdArena arena = MemfdArena.create("big", size + 4096, false, false)) {
      MemorySegment s = arena.segment();
      assertTrue(s.byteSize() > Integer.MAX_VALUE);
      long[] offsets = {0, size / 2 + 3, size + 4095 - 8};
      for (long off : offsets) {
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, off, off * 31);
      }
      for (long off : offsets) {
        assertEquals(off * 31, s.get(ValueLayout.JAVA_LONG_UNALIGNED, off));
      }
      long grown = rssShmemKb() - before;
      assertTrue(grown < 64 * 1024, "touching three spots faulted " + grown + " KiB");
    }
  }

  @Test
  void zeroFillPutsPagesInTheFileWithoutTouchingTheRestAndIsDestructive() {
    try (MemfdArena arena = MemfdArena.create("fill", 64 * MB, false, false)) {
      long pages = 16 * MB / MemoryCalls.pageSize();
      assertEquals(0, arena.residentPages(0, 64 * MB), "a fresh memfd has no pages");
      arena.segment().set(ValueLayout.JAVA_LONG, 9 * MB, -1L);
      arena.zeroFill(8 * MB, 16 * MB);
      assertEquals(pages, arena.residentPages(8 * MB, 16 * MB));
      assertEquals(0, arena.residentPages(0, 8 * MB), "below the range: untouched");
      assertEquals(0, arena.residentPages(24 * MB, 40 * MB), "above the range: untouched");
      assertEquals(0L, arena.segment().get(ValueLayout.JAVA_LONG, 9 * MB), "filled with zeros");
    }
  }

  @Test
  void discardGivesPagesBackAndTheyReadAsZero() {
    try (MemfdArena arena = MemfdArena.create("discard", 4 * MB, true, false)) {
      arena.segment().set(ValueLayout.JAVA_LONG, MB, -1L);
      arena.segment().set(ValueLayout.JAVA_LONG, 0, -1L);
      arena.discard(MB, MB);
      assertEquals(0L, arena.segment().get(ValueLayout.JAVA_LONG, MB));
      assertEquals(-1L, arena.segment().get(ValueLayout.JAVA_LONG, 0));
    }
  }

  @Test
  void hugePagesFallBackToNormalPagesWhenTheSystemHasNone() {
    try (MemfdArena arena = MemfdArena.create("huge", 3 * MB, false, true)) {
      long page = arena.hugePages() ? MemfdArena.HUGE_PAGE_SIZE : MemoryCalls.pageSize();
      assertEquals(0, arena.size() % page);
      assertTrue(arena.size() >= 3 * MB);
      arena.segment().set(ValueLayout.JAVA_LONG, arena.size() - 8, 99L);
      assertEquals(99L, arena.segment().get(ValueLayout.JAVA_LONG, arena.size() - 8));
    }
  }

  @Test
  void anArenaInADirectoryIsAnUnnamedFileTwoMibAlignedAndPunchable(@TempDir Path dir)
      throws IOException {
    BackingPlan plan =
        new BackingPlan(
            List.of(ArenaBacking.HUGE_TMPFS, ArenaBacking.MEMFD),
            List.of(),
            new HostMemoryFacts(0, "never", dir, HostMemoryFacts.Mount.NONE));
    try (MemfdArena arena = MemfdArena.create("in-dir", 3 * MB, false, plan)) {
      assertEquals(ArenaBacking.HUGE_TMPFS, arena.backing());
      assertEquals(4 * MB, arena.size(), "rounded up to 2 MiB");
      assertEquals(0, arena.address() % MemfdArena.HUGE_PAGE_SIZE, "mapped 2 MiB aligned");
      try (var names = Files.list(dir)) {
        assertEquals(0, names.count(), "nothing left in the directory");
      }
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + arena.fd())).toString();
      assertTrue(target.startsWith(dir.toString()), target);
      arena.segment().set(ValueLayout.JAVA_LONG, 2 * MB, -1L);
      arena.zeroFill(0, 2 * MB);
      assertEquals(2 * MB / MemoryCalls.pageSize(), arena.residentPages(0, 2 * MB));
      assertEquals(2 * MB, arena.discard(MB, 3 * MB), "only the whole 2 MiB page inside");
      assertEquals(2 * MB / MemoryCalls.pageSize(), arena.residentPages(0, 2 * MB));
      assertEquals(0, arena.residentPages(2 * MB, 2 * MB));
      assertEquals(0L, arena.segment().get(ValueLayout.JAVA_LONG, 2 * MB));
    }
  }

  @Test
  void aBackingThatCannotBeMadeFallsThroughToTheNext(@TempDir Path dir) {
    Path missing = dir.resolve("not-there");
    BackingPlan plan =
        new BackingPlan(
            List.of(ArenaBacking.HUGE_TMPFS, ArenaBacking.MEMFD),
            List.of(),
            new HostMemoryFacts(0, "never", missing, HostMemoryFacts.Mount.NONE));
    try (MemfdArena arena = MemfdArena.create("fallback", MB, false, plan)) {
      assertEquals(ArenaBacking.MEMFD, arena.backing());
      assertEquals(MB, arena.size());
    }
    BackingPlan only = new BackingPlan(List.of(ArenaBacking.HUGE_TMPFS), List.of(), plan.facts());
    CellarException e =
        assertThrows(CellarException.class, () -> MemfdArena.create("none", MB, false, only));
    assertTrue(e.getMessage().contains("ENOENT"), e.getMessage());
  }

  @Test
  void closeUnmapsAndLateAccessThrowsInsteadOfCrashing() {
    MemfdArena arena = MemfdArena.create("closed", MB, false, false);
    MemorySegment s = arena.segment().asSlice(64, 64);
    int fd = arena.fd();
    arena.close();
    arena.close();
    assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_BYTE, 0));
    assertFalse(Files.exists(Path.of("/proc/self/fd/" + fd)) && isMemfd(fd));
  }

  @Test
  void failedCallsBecomeTheProtocolsErrors() {
    CellarException io =
        MemfdArena.failure(new ErrnoException("ftruncate(fd=-1, 10)", Errno.EBADF));
    assertEquals(StatusCode.IO_ERROR, io.status());
    assertTrue(io.getMessage().startsWith("ftruncate(fd=-1, 10) failed: EBADF ("), io.getMessage());
    CellarException full = MemfdArena.failure(new ErrnoException("mmap", Errno.ENOMEM));
    assertEquals(StatusCode.NOT_ENOUGH_MEMORY, full.status());
    CellarException tooBig =
        assertThrows(
            CellarException.class, () -> MemfdArena.create("huge", 1L << 62, false, false));
    assertTrue(
        tooBig.status() == StatusCode.NOT_ENOUGH_MEMORY || tooBig.status() == StatusCode.IO_ERROR,
        tooBig.toString());
    assertThrows(IllegalArgumentException.class, () -> MemfdArena.create("zero", 0, false, false));
  }

  private static boolean isMemfd(int fd) {
    try {
      return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd))
          .toString()
          .contains("memfd:closed");
    } catch (IOException e) {
      return false;
    }
  }

  @SuppressWarnings("restricted")
  private static MemorySegment view(long address, long size) {
    return MemorySegment.ofAddress(address).reinterpret(size);
  }

  static long rssShmemKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("RssShmem:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no RssShmem in /proc/self/status");
  }
}
