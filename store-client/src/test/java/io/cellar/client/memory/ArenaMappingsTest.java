package io.cellar.client.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cellar.client.testing.TestFiles;
import io.cellar.posix.FileCalls;
import io.cellar.protocol.Payload;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArenaMappingsTest {
  private static Payload payload(long id, int storeFd, long size) {
    return new Payload(id | Long.MIN_VALUE, storeFd, 64, size, 1 << 20, 0, true, true);
  }

  @Test
  void dueFdsAreNewNonEmptyArenasInPayloadOrderOnce() {
    ArenaMappings mappings = new ArenaMappings();
    int[] due =
        mappings.dueStoreFds(
            List.of(
                payload(1, 9, 10),
                payload(2, 5, 10),
                payload(3, 9, 10),
                payload(4, 7, 0),
                Payload.EMPTY));
    assertArrayEquals(new int[] {9, 5}, due);
  }

  @Test
  void anArenaAlreadyReceivedIsNotDueAgain() throws Throwable {
    int fd = TestFiles.memfd(1 << 20);
    try (ArenaMappings mappings = new ArenaMappings()) {
      mappings.add(9, fd, 1 << 20);
      assertArrayEquals(
          new int[] {5}, mappings.dueStoreFds(List.of(payload(1, 9, 10), payload(2, 5, 10))));
    }
  }

  @Test
  void viewsLieInsideTheMappingAndReadViewsAreReadOnly() throws Throwable {
    int fd = TestFiles.memfd(1 << 20);
    try (ArenaMappings mappings = new ArenaMappings()) {
      mappings.add(9, fd, 1 << 20);
      Payload p = payload(1, 9, 100);
      var write = mappings.writeView(p);
      write.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 77);
      var read = mappings.readView(p);
      assertEquals(true, read.isReadOnly());
      assertEquals(77, read.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
      ArenaMapping arena = mappings.get(9);
      assertEquals((1 << 20) - 8, arena.length());
      assertEquals(arena.readWriteMapping().address() + 64, read.address());
      assertEquals(null, arena.readOnlyMapping(), "a writer reads through its one mapping");
    }
  }

  @Test
  void aBlobOutsideTheMappedLengthIsRefused() throws Throwable {
    int fd = TestFiles.memfd(1 << 20);
    try (ArenaMappings mappings = new ArenaMappings()) {
      mappings.add(9, fd, 1 << 20);
      Payload tail = new Payload(Long.MIN_VALUE | 1, 9, (1 << 20) - 64, 60, 1 << 20, 0, true, true);
      assertThrows(IOException.class, () -> mappings.readView(tail));
    }
  }

  @Test
  void closingUnmapsSoOldViewsFailInsteadOfCrashing() throws Throwable {
    int fd = TestFiles.memfd(1 << 20);
    ArenaMappings mappings = new ArenaMappings();
    mappings.add(9, fd, 1 << 20);
    var view = mappings.readView(payload(1, 9, 100));
    mappings.close();
    assertThrows(
        IllegalStateException.class, () -> view.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
    assertEquals(false, FileCalls.isOpen(fd));
  }
}
