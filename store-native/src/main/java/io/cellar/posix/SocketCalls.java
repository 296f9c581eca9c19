package io.cellar.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Stream-socket calls: {@code socket}, {@code connect} to a UNIX socket path, {@code socketpair},
 * {@code read}, {@code write}, {@code recvmsg}, {@code poll}, {@code setsockopt} and {@code
 * shutdown}. Calls that are safe to repeat are retried on {@link Errno#EINTR}; any other failure is
 * an {@link ErrnoException}.
 *
 * <p>The calls on a connection's hot path ({@link #read}, {@link #write}, {@link #recvmsg}) take a
 * call state ({@link Downcall#newCallState}) the caller allocates once per connection, so a request
 * costs no allocation. Stateless and thread-safe.
 */
public final class SocketCalls {
  /** {@code AF_UNIX}. */
  public static final int AF_UNIX = 1;

  /** {@code SOCK_STREAM}. */
  public static final int SOCK_STREAM = 1;

  /** {@code SOCK_CLOEXEC}. */
  public static final int SOCK_CLOEXEC = 0x80000;

  /**
   * Size of {@code struct pollfd}: {@code int fd} at 0, {@code short events} at 4, {@code short
   * revents} at 6.
   */
  public static final long POLLFD_SIZE = 8;

  private static final short POLLIN = 1;
  private static final int SOL_SOCKET = 1;
  private static final int SO_RCVTIMEO = 20;
  private static final int SHUT_RDWR = 2;

  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
  private static final ValueLayout ADDRESS = ValueLayout.ADDRESS;

  private static final MethodHandle SOCKET =
      Downcall.capturing("socket", FunctionDescriptor.of(INT, INT, INT, INT));
  private static final MethodHandle SOCKETPAIR =
      Downcall.capturing("socketpair", FunctionDescriptor.of(INT, INT, INT, INT, ADDRESS));
  private static final MethodHandle CONNECT =
      Downcall.capturing("connect", FunctionDescriptor.of(INT, INT, ADDRESS, INT));
  private static final MethodHandle READ =
      Downcall.capturing("read", FunctionDescriptor.of(LONG, INT, ADDRESS, LONG));
  private static final MethodHandle WRITE =
      Downcall.capturing("write", FunctionDescriptor.of(LONG, INT, ADDRESS, LONG));
  static final MethodHandle RECVMSG =
      Downcall.capturing("recvmsg", FunctionDescriptor.of(LONG, INT, ADDRESS, INT));
  static final MethodHandle SENDMSG =
      Downcall.capturing("sendmsg", FunctionDescriptor.of(LONG, INT, ADDRESS, INT));
  private static final MethodHandle SETSOCKOPT =
      Downcall.capturing("setsockopt", FunctionDescriptor.of(INT, INT, INT, INT, ADDRESS, INT));
  private static final MethodHandle SHUTDOWN =
      Downcall.capturing("shutdown", FunctionDescriptor.of(INT, INT, INT));
  private static final MethodHandle POLL =
      Downcall.critical("poll", FunctionDescriptor.of(INT, ADDRESS, LONG, INT));

  private SocketCalls() {}

  /**
   * Opens a close-on-exec stream socket.
   *
   * @param domain the address family, for example {@link #AF_UNIX}
   * @return the new fd, owned by the caller
   * @throws ErrnoException when {@code socket(2)} fails
   */
  public static int socket(int domain) throws ErrnoException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcall.newCallState(arena);
      int fd = (int) SOCKET.invokeExact(state, domain, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        throw Downcall.failure("socket", state);
      }
      return fd;
    } catch (ErrnoException e) {
      throw e;
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }

  /**
   * A connected pair of close-on-exec {@code AF_UNIX} stream sockets.
   *
   * @return the two fds, owned by the caller
   * @throws ErrnoException when {@code socketpair(2)} fails
   */
  public static int[] socketPair() throws ErrnoException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcall.newCallState(arena);
      MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
      int rc = (int) SOCKETPAIR.invokeExact(state, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds);
      if (rc != 0) {
        throw Downcall.failure("socketpair", state);
      }
      return new int[] {
        fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)
      };
    } catch (ErrnoException e) {
      throw e;
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }

  /**
   * Opens a close-on-exec {@code AF_UNIX} stream socket and connects it to a socket file ({@code
   * struct sockaddr_un}, {@link MsgHdrDescriptor#SUN_PATH_OFFSET}), retrying on {@code EINTR}.
   *
   * @param path the socket file, at most {@link MsgHdrDescriptor#SUN_PATH_MAX} bytes
   * @return the connected fd, owned by the caller
   * @throws ErrnoException when a call fails; {@code ENAMETOOLONG} (36) for a path too long
   */
  public static int connectUnix(Path path) throws ErrnoException {
    byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
    if (name.length > MsgHdrDescriptor.SUN_PATH_MAX) {
      throw new ErrnoException(
          "connect to a socket path longer than " + MsgHdrDescriptor.SUN_PATH_MAX + " bytes", 36);
    }
    int fd = socket(AF_UNIX);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcall.newCallState(arena);
      MemorySegment address = arena.allocate(MsgHdrDescriptor.SOCKADDR_UN_SIZE, 8);
      address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
      MemorySegment.copy(
          name, 0, address, ValueLayout.JAVA_BYTE, MsgHdrDescriptor.SUN_PATH_OFFSET, name.length);
      int length = (int) MsgHdrDescriptor.SUN_PATH_OFFSET + name.length + 1;
      while ((int) CONNECT.invokeExact(state, fd, address, length) != 0) {
        if (Downcall.errno(state) != Errno.EINTR) {
          throw Downcall.failure("connect(" + path + ")", state);
        }
      }
      return fd;
    } catch (Throwable t) {
      FileCalls.closeQuietly(fd);
      if (t instanceof ErrnoException e) {
        throw e;
      }
      throw Downcall.rethrow(t);
    }
  }

  /**
   * Reads up to {@code length} bytes, retrying on {@code EINTR}.
   *
   * @param fd the fd
   * @param target native memory to fill, only written during the call
   * @param length at most this many bytes
   * @param state a call state, see {@link Downcall#newCallState}
   * @return the count read, 0 at end of stream
   * @throws ErrnoException when {@code read(2)} fails
   */
  public static long read(int fd, MemorySegment target, long length, MemorySegment state)
      throws ErrnoException {
    while (true) {
      long n;
      try {
        n = (long) READ.invokeExact(state, fd, target, length);
      } catch (Throwable t) {
        throw Downcall.rethrow(t);
      }
      if (n >= 0) {
        return n;
      }
      if (Downcall.errno(state) != Errno.EINTR) {
        throw Downcall.failure("read", state);
      }
    }
  }

  /**
   * Writes up to {@code length} bytes, retrying on {@code EINTR}.
   *
   * @param fd the fd
   * @param source native memory to send, only read during the call
   * @param length at most this many bytes
   * @param state a call state, see {@link Downcall#newCallState}
   * @return the count written
   * @throws ErrnoException when {@code write(2)} fails
   */
  public static long write(int fd, MemorySegment source, long length, MemorySegment state)
      throws ErrnoException {
    while (true) {
      long n;
      try {
        n = (long) WRITE.invokeExact(state, fd, source, length);
      } catch (Throwable t) {
        throw Downcall.rethrow(t);
      }
      if (n >= 0) {
        return n;
      }
      if (Downcall.errno(state) != Errno.EINTR) {
        throw Downcall.failure("write", state);
      }
    }
  }

  /**
   * Calls {@code recvmsg(2)}, retrying on {@code EINTR}.
   *
   * @param fd the socket
   * @param msghdr a {@code struct msghdr} in native memory ({@link MsgHdrDescriptor})
   * @param flags the flags, for example {@link MsgHdrDescriptor#MSG_CMSG_CLOEXEC}
   * @param state a call state, see {@link Downcall#newCallState}
   * @return the count of data bytes received, 0 at end of stream
   * @throws ErrnoException when the call fails
   */
  public static long recvmsg(int fd, MemorySegment msghdr, int flags, MemorySegment state)
      throws ErrnoException {
    while (true) {
      long n;
      try {
        n = (long) RECVMSG.invokeExact(state, fd, msghdr, flags);
      } catch (Throwable t) {
        throw Downcall.rethrow(t);
      }
      if (n >= 0) {
        return n;
      }
      if (Downcall.errno(state) != Errno.EINTR) {
        throw Downcall.failure("recvmsg", state);
      }
    }
  }

  /**
   * Whether a socket has bytes (or end of stream, or an error) to read right now: {@code poll(2)}
   * with a zero timeout. It only looks at the receive queue without taking its lock, so a caller
   * spinning on it does not slow down the peer that is writing. A failed call (even {@code EINTR})
   * answers true, so that the caller goes on to a blocking read that reports the error.
   *
   * @param pollfd a {@link #POLLFD_SIZE}-byte native {@code struct pollfd}, only used during the
   *     call
   * @param fd the socket
   * @return true when a read would not block
   */
  public static boolean readableNow(MemorySegment pollfd, int fd) {
    pollfd.set(ValueLayout.JAVA_INT, 0, fd);
    pollfd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
    pollfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
    try {
      return (int) POLL.invokeExact(pollfd, 1L, 0) != 0;
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }

  /**
   * Sets {@code SO_RCVTIMEO}: a blocking read that waits longer fails with {@link Errno#EAGAIN}.
   *
   * @param fd the socket
   * @param millis the timeout, 0 for none
   * @throws ErrnoException when {@code setsockopt(2)} fails
   */
  public static void setReceiveTimeout(int fd, long millis) throws ErrnoException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcall.newCallState(arena);
      MemorySegment timeval = arena.allocate(16, 8);
      timeval.set(ValueLayout.JAVA_LONG, 0, millis / 1000);
      timeval.set(ValueLayout.JAVA_LONG, 8, (millis % 1000) * 1000);
      if ((int) SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_RCVTIMEO, timeval, 16) != 0) {
        throw Downcall.failure("setsockopt(SO_RCVTIMEO)", state);
      }
    } catch (ErrnoException e) {
      throw e;
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }

  /**
   * Shuts a socket down in both directions ({@code SHUT_RDWR}), waking any thread blocked on it;
   * errors are ignored.
   *
   * @param fd the socket
   */
  public static void shutdown(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      int ignored = (int) SHUTDOWN.invokeExact(Downcall.newCallState(arena), fd, SHUT_RDWR);
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }
}
