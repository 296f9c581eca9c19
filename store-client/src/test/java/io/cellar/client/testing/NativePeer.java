package io.cellar.client.testing;

import io.cellar.client.posix.PosixCalls;
import io.cellar.core.memory.Libc;
import io.cellar.core.posix.MsgHdrDescriptor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Test-side libc calls the client itself never makes: {@code socketpair}, a memfd (through
 * store-core's {@link Libc}) and {@code sendmsg} with {@code SCM_RIGHTS}, so tests can play the
 * server's part of fd passing. Stateless and thread-safe.
 */
@SuppressWarnings("restricted")
public final class NativePeer {
  private static final Linker LINKER = Linker.nativeLinker();
  private static final MethodHandle SOCKETPAIR =
      handle(
          "socketpair",
          FunctionDescriptor.of(
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.ADDRESS));
  private static final MethodHandle SENDMSG =
      handle(
          "sendmsg",
          FunctionDescriptor.of(
              ValueLayout.JAVA_LONG,
              ValueLayout.JAVA_INT,
              ValueLayout.ADDRESS,
              ValueLayout.JAVA_INT));
  private static final MethodHandle FCNTL =
      handle(
          "fcntl",
          FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

  private NativePeer() {}

  private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
    return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor);
  }

  /**
   * A connected pair of {@code AF_UNIX} stream sockets.
   *
   * @return the two fds, owned by the caller
   */
  public static int[] socketPair() throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
      int rc = (int) SOCKETPAIR.invokeExact(PosixCalls.AF_UNIX, PosixCalls.SOCK_STREAM, 0, fds);
      if (rc != 0) {
        throw new IOException("socketpair failed");
      }
      return new int[] {
        fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)
      };
    }
  }

  /**
   * A memfd of the given size.
   *
   * @param size the file length
   * @return the fd, owned by the caller
   */
  public static int memfd(long size) throws Throwable {
    int fd = Libc.memfdCreate("cellar-test", 0);
    Libc.ftruncate(fd, size);
    return fd;
  }

  /**
   * Sends one 1-byte message carrying {@code fds} with {@code SCM_RIGHTS} (the server's {@code
   * send_fd} sends exactly one; more is a protocol violation tests provoke on purpose).
   *
   * @param socket the sending socket
   * @param fds the fds to pass
   */
  public static void sendFds(int socket, int... fds) throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment data = arena.allocate(8);
      data.set(ValueLayout.JAVA_BYTE, 0, (byte) 'F');
      MemorySegment iov = arena.allocate(MsgHdrDescriptor.IOVEC_SIZE, 8);
      iov.set(ValueLayout.ADDRESS, MsgHdrDescriptor.IOV_BASE_OFFSET, data);
      iov.set(ValueLayout.JAVA_LONG, MsgHdrDescriptor.IOV_LEN_OFFSET, 1L);
      long controlSize = (MsgHdrDescriptor.cmsgLength(fds.length) + 7) & ~7L;
      MemorySegment control = arena.allocate(controlSize, 8);
      control.set(
          ValueLayout.JAVA_LONG,
          MsgHdrDescriptor.CMSG_LEN_OFFSET,
          MsgHdrDescriptor.cmsgLength(fds.length));
      control.set(
          ValueLayout.JAVA_INT, MsgHdrDescriptor.CMSG_LEVEL_OFFSET, MsgHdrDescriptor.SOL_SOCKET);
      control.set(
          ValueLayout.JAVA_INT, MsgHdrDescriptor.CMSG_TYPE_OFFSET, MsgHdrDescriptor.SCM_RIGHTS);
      for (int i = 0; i < fds.length; i++) {
        control.set(ValueLayout.JAVA_INT, MsgHdrDescriptor.CMSG_DATA_OFFSET + 4L * i, fds[i]);
      }
      MemorySegment msg = arena.allocate(MsgHdrDescriptor.MSGHDR_SIZE, 8);
      msg.set(ValueLayout.ADDRESS, MsgHdrDescriptor.MSG_IOV_OFFSET, iov);
      msg.set(ValueLayout.JAVA_LONG, MsgHdrDescriptor.MSG_IOVLEN_OFFSET, 1L);
      msg.set(ValueLayout.ADDRESS, MsgHdrDescriptor.MSG_CONTROL_OFFSET, control);
      msg.set(ValueLayout.JAVA_LONG, MsgHdrDescriptor.MSG_CONTROLLEN_OFFSET, controlSize);
      long n = (long) SENDMSG.invokeExact(socket, msg, 0);
      if (n != 1) {
        throw new IOException("sendmsg failed");
      }
    }
  }

  /**
   * Whether an fd is open in this process.
   *
   * @param fd the fd
   * @return true when {@code fcntl(F_GETFD)} succeeds
   */
  public static boolean isOpen(int fd) throws Throwable {
    return (int) FCNTL.invokeExact(fd, 1) >= 0;
  }
}
