package io.cellar.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

@SuppressWarnings("restricted")
class FdPassingTest {
  @Test
  void oneFdCrossesASocketAndNamesTheSameFile() throws Exception {
    int[] pair = SocketCalls.socketPair();
    int memfd = FileCalls.memfdCreate("passed", FileCalls.MFD_CLOEXEC);
    try (FdReceiver receiver = new FdReceiver()) {
      FileCalls.ftruncate(memfd, 4096);
      assertTrue(FdPassing.sendFd(pair[0], memfd));
      int received = receiver.receiveOne(pair[1]);
      try {
        long a = MemoryCalls.mmap(0, 4096, 3, MemoryCalls.MAP_SHARED, memfd, 0);
        long b = MemoryCalls.mmap(0, 4096, 3, MemoryCalls.MAP_SHARED, received, 0);
        MemorySegment.ofAddress(a).reinterpret(8).set(ValueLayout.JAVA_LONG, 0, 0x1234L);
        assertEquals(
            0x1234L, MemorySegment.ofAddress(b).reinterpret(8).get(ValueLayout.JAVA_LONG, 0));
        MemoryCalls.munmap(a, 4096);
        MemoryCalls.munmap(b, 4096);
      } finally {
        FileCalls.close(received);
      }
    } finally {
      FileCalls.closeQuietly(memfd);
      FileCalls.closeQuietly(pair[0]);
      FileCalls.closeQuietly(pair[1]);
    }
  }

  @Test
  void twoFdsInOneMessageArePassedBackAsAnErrorAndClosed() throws Exception {
    int[] pair = SocketCalls.socketPair();
    int a = FileCalls.memfdCreate("a", FileCalls.MFD_CLOEXEC);
    int b = FileCalls.memfdCreate("b", FileCalls.MFD_CLOEXEC);
    try (FdReceiver receiver = new FdReceiver()) {
      FdPassing.sendFds(pair[0], a, b);
      IOException e = assertThrows(IOException.class, () -> receiver.receiveOne(pair[1]));
      assertTrue(e.getMessage().contains("got 2 fds"), e.getMessage());
      // a plain byte is no fd either
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment one = arena.allocate(1);
        SocketCalls.write(pair[0], one, 1, Downcall.newCallState(arena));
      }
      assertThrows(IOException.class, () -> receiver.receiveOne(pair[1]));
      FileCalls.close(pair[0]);
      assertThrows(EOFException.class, () -> receiver.receiveOne(pair[1]));
    } finally {
      FileCalls.closeQuietly(a);
      FileCalls.closeQuietly(b);
      FileCalls.closeQuietly(pair[1]);
    }
    assertFalse(FileCalls.isOpen(pair[0]));
  }

  @Test
  void aPathLongerThanSockaddrUnIsRefused() {
    String path = "/tmp/" + "x".repeat(MsgHdrDescriptor.SUN_PATH_MAX);
    ErrnoException e =
        assertThrows(
            ErrnoException.class, () -> SocketCalls.connectUnix(java.nio.file.Path.of(path)));
    assertTrue(e.getMessage().contains("longer than 107"), e.getMessage());
    assertThrows(
        ErrnoException.class,
        () -> SocketCalls.connectUnix(java.nio.file.Path.of("/nonexistent/cellar.sock")));
  }
}
