package io.cellar.client.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cellar.posix.Downcall;
import io.cellar.posix.FileCalls;
import io.cellar.posix.SocketCalls;
import java.io.EOFException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The socket's wait for a reply: spin while it is short, then block, never lose bytes. */
@Timeout(30)
class UnixDomainSocketTest {
  private static final byte[] REPLY = {1, 2, 3, 4, 5, 6, 7, 8};

  private static void send(int fd, byte[] bytes) throws Exception {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment source = arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes);
      MemorySegment state = Downcall.newCallState(arena);
      long done = 0;
      while (done < bytes.length) {
        done += SocketCalls.write(fd, source.asSlice(done), bytes.length - done, state);
      }
    }
  }

  private static byte[] read(UnixDomainSocket socket, int n) throws Exception {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment target = arena.allocate(n);
      socket.readFully(target);
      return target.toArray(ValueLayout.JAVA_BYTE);
    }
  }

  @Test
  void aQueuedReplyEndsTheSpinAtOnce() throws Throwable {
    int[] fds = SocketCalls.socketPair();
    try (UnixDomainSocket socket = UnixDomainSocket.adopt(fds[0], Path.of("test"))) {
      socket.spinMicros(60_000_000); // would outlast the test's timeout if the poll missed it
      send(fds[1], REPLY);
      socket.awaitReadable();
      assertArrayEquals(REPLY, read(socket, REPLY.length));
    } finally {
      FileCalls.closeQuietly(fds[1]);
    }
  }

  @Test
  void aReplyLaterThanTheSpinIsReadByTheBlockingRead() throws Throwable {
    int[] fds = SocketCalls.socketPair();
    try (UnixDomainSocket socket = UnixDomainSocket.adopt(fds[0], Path.of("test"))) {
      socket.spinMicros(1);
      socket.awaitReadable(); // nothing queued: gives up after 1 us
      CompletableFuture<byte[]> reader =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return read(socket, REPLY.length);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      send(fds[1], REPLY);
      assertArrayEquals(REPLY, reader.get());
    } finally {
      FileCalls.closeQuietly(fds[1]);
    }
  }

  @Test
  void theSpinEndsWhenThePeerCloses() throws Throwable {
    int[] fds = SocketCalls.socketPair();
    try (UnixDomainSocket socket = UnixDomainSocket.adopt(fds[0], Path.of("test"))) {
      socket.spinMicros(60_000_000);
      FileCalls.closeQuietly(fds[1]);
      socket.awaitReadable();
      assertThrows(EOFException.class, () -> read(socket, 1));
    }
  }

  @Test
  void noSpinMeansNoWait() throws Throwable {
    int[] fds = SocketCalls.socketPair();
    try (UnixDomainSocket socket = UnixDomainSocket.adopt(fds[0], Path.of("test"))) {
      socket.spinMicros(0);
      socket.awaitReadable(); // returns although nothing is queued
      send(fds[1], REPLY);
      assertArrayEquals(REPLY, read(socket, REPLY.length));
    } finally {
      FileCalls.closeQuietly(fds[1]);
    }
  }
}
