package io.cellar.server.ipc;

import static io.cellar.core.posix.MsgHdrDescriptor.*;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Sends one fd over a UNIX-domain socket exactly as the reference's {@code send_fd} does ({@code
 * fling.cc}, reference §3.3): one non-blocking {@code sendmsg} with a 1-byte data payload and one
 * {@code SCM_RIGHTS} control message holding exactly one fd. Called through FFM on the channel's
 * own fd, after the JSON reply has been fully written.
 *
 * <p>Thread-safe: each call uses its own confined native memory. The caller must not write to the
 * same socket concurrently (the connection's event loop is the only writer).
 */
@SuppressWarnings("restricted")
public final class FdPassing {
  private static final StructLayout ERRNO_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      ERRNO_STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
  private static final MethodHandle SENDMSG;

  static {
    Linker linker = Linker.nativeLinker();
    SENDMSG =
        linker.downcallHandle(
            linker.defaultLookup().find("sendmsg").orElseThrow(),
            FunctionDescriptor.of(
                ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS,
                ValueLayout.JAVA_INT),
            Linker.Option.captureCallState("errno"));
  }

  private FdPassing() {}

  /**
   * Sends one fd.
   *
   * @param socketFd the connected socket
   * @param fdToSend the fd to pass
   * @return true when sent, false when the socket buffer is full (try again once writable)
   * @throws IOException for any other failure (the connection should be closed)
   */
  @SuppressWarnings("restricted")
  public static boolean sendFd(int socketFd, int fdToSend) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment data = arena.allocate(1);
      data.set(ValueLayout.JAVA_BYTE, 0, (byte) 0);
      MemorySegment iov = arena.allocate(IOVEC_SIZE, 8);
      iov.set(ValueLayout.ADDRESS, IOV_BASE_OFFSET, data);
      iov.set(ValueLayout.JAVA_LONG, IOV_LEN_OFFSET, 1);
      MemorySegment control = arena.allocate(CMSG_SPACE_ONE_FD, 8);
      control.set(ValueLayout.JAVA_LONG, CMSG_LEN_OFFSET, CMSG_LEN_ONE_FD);
      control.set(ValueLayout.JAVA_INT, CMSG_LEVEL_OFFSET, SOL_SOCKET);
      control.set(ValueLayout.JAVA_INT, CMSG_TYPE_OFFSET, SCM_RIGHTS);
      control.set(ValueLayout.JAVA_INT, CMSG_DATA_OFFSET, fdToSend);
      MemorySegment msg = arena.allocate(MSGHDR);
      msg.set(ValueLayout.ADDRESS, MSG_IOV_OFFSET, iov);
      msg.set(ValueLayout.JAVA_LONG, MSG_IOVLEN_OFFSET, 1);
      msg.set(ValueLayout.ADDRESS, MSG_CONTROL_OFFSET, control);
      msg.set(ValueLayout.JAVA_LONG, MSG_CONTROLLEN_OFFSET, CMSG_SPACE_ONE_FD);
      MemorySegment errnoState = arena.allocate(ERRNO_STATE);
      while (true) {
        long n;
        try {
          n = (long) SENDMSG.invokeExact(errnoState, socketFd, msg, MSG_DONTWAIT | MSG_NOSIGNAL);
        } catch (Throwable t) {
          throw new IOException("sendmsg failed to run", t);
        }
        if (n == 1) {
          return true;
        }
        int errno = (int) ERRNO.get(errnoState, 0L);
        if (n < 0 && errno == EINTR) {
          continue;
        }
        if (n < 0 && errno == EAGAIN) {
          return false;
        }
        throw new IOException("sendmsg of fd " + fdToSend + " returned " + n + ", errno " + errno);
      }
    }
  }
}
