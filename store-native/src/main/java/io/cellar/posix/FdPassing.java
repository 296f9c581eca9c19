package io.cellar.posix;

import static io.cellar.posix.MsgHdrDescriptor.CMSG_DATA_OFFSET;
import static io.cellar.posix.MsgHdrDescriptor.CMSG_LEN_OFFSET;
import static io.cellar.posix.MsgHdrDescriptor.CMSG_LEVEL_OFFSET;
import static io.cellar.posix.MsgHdrDescriptor.CMSG_TYPE_OFFSET;
import static io.cellar.posix.MsgHdrDescriptor.IOVEC_SIZE;
import static io.cellar.posix.MsgHdrDescriptor.IOV_BASE_OFFSET;
import static io.cellar.posix.MsgHdrDescriptor.IOV_LEN_OFFSET;
import static io.cellar.posix.MsgHdrDescriptor.MSGHDR_SIZE;
import static io.cellar.posix.MsgHdrDescriptor.MSG_CONTROLLEN_OFFSET;
import static io.cellar.posix.MsgHdrDescriptor.MSG_CONTROL_OFFSET;
import static io.cellar.posix.MsgHdrDescriptor.MSG_DONTWAIT;
import static io.cellar.posix.MsgHdrDescriptor.MSG_IOVLEN_OFFSET;
import static io.cellar.posix.MsgHdrDescriptor.MSG_IOV_OFFSET;
import static io.cellar.posix.MsgHdrDescriptor.MSG_NOSIGNAL;
import static io.cellar.posix.MsgHdrDescriptor.SCM_RIGHTS;
import static io.cellar.posix.MsgHdrDescriptor.SOL_SOCKET;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Sends fds over a UNIX stream socket as the reference's {@code send_fd} does ({@code fling.cc}):
 * one {@code sendmsg} with a 1-byte data payload and one {@code SCM_RIGHTS} control message. The
 * receiving side is {@link FdReceiver}.
 *
 * <p>Stateless and thread-safe: each call uses its own confined native memory. Callers must not
 * write to the same socket concurrently.
 */
public final class FdPassing {
  /** The data byte each fd-carrying message holds (its value carries no meaning). */
  public static final byte CARRIER_BYTE = 0;

  private FdPassing() {}

  /**
   * Sends one fd without blocking ({@code MSG_DONTWAIT | MSG_NOSIGNAL}), as the server does after
   * the JSON reply that announces it.
   *
   * @param socket the connected socket
   * @param fd the fd to pass (stays open and owned by the caller)
   * @return true when sent, false when the socket buffer is full (try again once writable)
   * @throws ErrnoException for any other failure (the connection should be closed)
   */
  public static boolean sendFd(int socket, int fd) throws ErrnoException {
    long n = send(socket, MSG_DONTWAIT | MSG_NOSIGNAL, fd);
    if (n == -Errno.EAGAIN) {
      return false;
    }
    if (n != 1) {
      throw new ErrnoException("sendmsg of fd " + fd, n < 0 ? (int) -n : Errno.EIO);
    }
    return true;
  }

  /**
   * Sends several fds in one blocking message. The protocol passes exactly one fd per message: this
   * exists so tests can play a server that breaks that rule.
   *
   * @param socket the connected socket
   * @param fds the fds to pass
   * @throws ErrnoException when the call fails
   */
  public static void sendFds(int socket, int... fds) throws ErrnoException {
    long n = send(socket, MSG_NOSIGNAL, fds);
    if (n != 1) {
      throw new ErrnoException("sendmsg of " + fds.length + " fds", n < 0 ? (int) -n : Errno.EIO);
    }
  }

  /** One sendmsg, retried on EINTR; the byte count, or minus the errno. */
  private static long send(int socket, int flags, int... fds) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment data = arena.allocate(8);
      data.set(ValueLayout.JAVA_BYTE, 0, CARRIER_BYTE);
      MemorySegment iov = arena.allocate(IOVEC_SIZE, 8);
      iov.set(ValueLayout.ADDRESS, IOV_BASE_OFFSET, data);
      iov.set(ValueLayout.JAVA_LONG, IOV_LEN_OFFSET, 1L);
      long controlSize = (MsgHdrDescriptor.cmsgLength(fds.length) + 7) & ~7L;
      MemorySegment control = arena.allocate(controlSize, 8);
      control.set(ValueLayout.JAVA_LONG, CMSG_LEN_OFFSET, MsgHdrDescriptor.cmsgLength(fds.length));
      control.set(ValueLayout.JAVA_INT, CMSG_LEVEL_OFFSET, SOL_SOCKET);
      control.set(ValueLayout.JAVA_INT, CMSG_TYPE_OFFSET, SCM_RIGHTS);
      for (int i = 0; i < fds.length; i++) {
        control.set(ValueLayout.JAVA_INT, CMSG_DATA_OFFSET + 4L * i, fds[i]);
      }
      MemorySegment msg = arena.allocate(MSGHDR_SIZE, 8);
      msg.set(ValueLayout.ADDRESS, MSG_IOV_OFFSET, iov);
      msg.set(ValueLayout.JAVA_LONG, MSG_IOVLEN_OFFSET, 1L);
      msg.set(ValueLayout.ADDRESS, MSG_CONTROL_OFFSET, control);
      msg.set(ValueLayout.JAVA_LONG, MSG_CONTROLLEN_OFFSET, controlSize);
      MemorySegment state = Downcall.newCallState(arena);
      while (true) {
        long n = (long) SocketCalls.SENDMSG.invokeExact(state, socket, msg, flags);
        if (n >= 0) {
          return n;
        }
        int errno = Downcall.errno(state);
        if (errno != Errno.EINTR) {
          return -errno;
        }
      }
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }
}
