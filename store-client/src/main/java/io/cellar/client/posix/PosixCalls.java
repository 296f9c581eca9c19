package io.cellar.client.posix;

import io.cellar.core.memory.ErrnoException;
import io.cellar.core.memory.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc calls the client needs, bound through the Foreign Function &amp; Memory API (no
 * JNI): {@code socket}, {@code connect}, {@code read}, {@code write}, {@code recvmsg}, {@code
 * poll}, {@code shutdown}; {@code close}, {@code mmap} and {@code munmap} go through store-core's
 * {@link Libc}. Each call captures {@code errno} and turns a failure into an {@link IOException}
 * naming the call and the error; {@code EINTR} is retried where the call is safe to repeat.
 *
 * <p>Stateless and thread-safe. Linux LP64 (x86-64, aarch64) only.
 */
@SuppressWarnings("restricted")
public final class PosixCalls {
  /** {@code AF_UNIX}. */
  public static final int AF_UNIX = 1;

  /** {@code SOCK_STREAM}. */
  public static final int SOCK_STREAM = 1;

  /** {@code SOCK_CLOEXEC}. */
  public static final int SOCK_CLOEXEC = 0x80000;

  /** {@code PROT_READ}. */
  public static final int PROT_READ = Libc.PROT_READ;

  /** {@code PROT_WRITE}. */
  public static final int PROT_WRITE = Libc.PROT_WRITE;

  /** {@code MAP_SHARED}. */
  public static final int MAP_SHARED = Libc.MAP_SHARED;

  /** {@code MSG_CMSG_CLOEXEC}: received fds are close-on-exec. */
  public static final int MSG_CMSG_CLOEXEC = 0x40000000;

  /**
   * Size of {@code struct pollfd}: {@code int fd} at 0, {@code short events} at 4, {@code short
   * revents} at 6.
   */
  public static final long POLLFD_SIZE = 8;

  /** {@code POLLIN}, for {@code events}. */
  private static final short POLLIN = 1;

  /** {@code EINTR}. */
  public static final int EINTR = 4;

  /** {@code EAGAIN}. */
  public static final int EAGAIN = 11;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final SymbolLookup LIBC = LINKER.defaultLookup();
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CALL_STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

  private static final MethodHandle SOCKET =
      bind(
          "socket",
          FunctionDescriptor.of(
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT));
  private static final MethodHandle CONNECT =
      bind(
          "connect",
          FunctionDescriptor.of(
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.ADDRESS,
              ValueLayout.JAVA_INT));
  private static final MethodHandle READ =
      bind(
          "read",
          FunctionDescriptor.of(
              ValueLayout.JAVA_LONG,
              ValueLayout.JAVA_INT,
              ValueLayout.ADDRESS,
              ValueLayout.JAVA_LONG));
  private static final MethodHandle WRITE =
      bind(
          "write",
          FunctionDescriptor.of(
              ValueLayout.JAVA_LONG,
              ValueLayout.JAVA_INT,
              ValueLayout.ADDRESS,
              ValueLayout.JAVA_LONG));
  private static final MethodHandle POLL =
      LINKER.downcallHandle(
          LIBC.find("poll").orElseThrow(),
          FunctionDescriptor.of(
              ValueLayout.JAVA_INT,
              ValueLayout.ADDRESS,
              ValueLayout.JAVA_LONG,
              ValueLayout.JAVA_INT),
          Linker.Option.critical(false));
  private static final MethodHandle RECVMSG =
      bind(
          "recvmsg",
          FunctionDescriptor.of(
              ValueLayout.JAVA_LONG,
              ValueLayout.JAVA_INT,
              ValueLayout.ADDRESS,
              ValueLayout.JAVA_INT));
  private static final MethodHandle SHUTDOWN =
      bind(
          "shutdown",
          FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
  private static final MethodHandle STRERROR =
      LINKER.downcallHandle(
          LIBC.find("strerror").orElseThrow(),
          FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

  private PosixCalls() {}

  private static MethodHandle bind(String name, FunctionDescriptor descriptor) {
    MemorySegment symbol =
        LIBC.find(name).orElseThrow(() -> new IllegalStateException("libc has no " + name));
    return LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO);
  }

  /**
   * Opens a close-on-exec stream socket.
   *
   * @param domain the address family, for example {@link #AF_UNIX}
   * @return the new fd, owned by the caller
   * @throws IOException when {@code socket(2)} fails
   */
  public static int socket(int domain) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      int fd;
      try {
        fd = (int) SOCKET.invokeExact(state, domain, SOCK_STREAM | SOCK_CLOEXEC, 0);
      } catch (Throwable t) {
        throw rethrow(t);
      }
      if (fd < 0) {
        throw failure("socket", state);
      }
      return fd;
    }
  }

  /**
   * Connects a socket to an address, retrying on {@code EINTR}.
   *
   * @param fd the socket
   * @param address a {@code sockaddr} in native memory, only read during the call
   * @param length the address length in bytes
   * @throws IOException when {@code connect(2)} fails
   */
  public static void connect(int fd, MemorySegment address, int length) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      while (true) {
        int rc;
        try {
          rc = (int) CONNECT.invokeExact(state, fd, address, length);
        } catch (Throwable t) {
          throw rethrow(t);
        }
        if (rc == 0) {
          return;
        }
        if (errno(state) != EINTR) {
          throw failure("connect", state);
        }
      }
    }
  }

  /**
   * Reads up to {@code length} bytes, retrying on {@code EINTR}.
   *
   * @param fd the fd
   * @param target native memory to fill, only written during the call
   * @param length at most this many bytes
   * @param state a call-state segment from {@link #allocateCallState(Arena)}
   * @return the count read, 0 at end of stream
   * @throws IOException when {@code read(2)} fails
   */
  public static long read(int fd, MemorySegment target, long length, MemorySegment state)
      throws IOException {
    while (true) {
      long n;
      try {
        n = (long) READ.invokeExact(state, fd, target, length);
      } catch (Throwable t) {
        throw rethrow(t);
      }
      if (n >= 0) {
        return n;
      }
      if (errno(state) != EINTR) {
        throw failure("read", state);
      }
    }
  }

  /**
   * Writes up to {@code length} bytes, retrying on {@code EINTR}.
   *
   * @param fd the fd
   * @param source native memory to send, only read during the call
   * @param length at most this many bytes
   * @param state a call-state segment from {@link #allocateCallState(Arena)}
   * @return the count written
   * @throws IOException when {@code write(2)} fails
   */
  public static long write(int fd, MemorySegment source, long length, MemorySegment state)
      throws IOException {
    while (true) {
      long n;
      try {
        n = (long) WRITE.invokeExact(state, fd, source, length);
      } catch (Throwable t) {
        throw rethrow(t);
      }
      if (n >= 0) {
        return n;
      }
      if (errno(state) != EINTR) {
        throw failure("write", state);
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
    int n;
    try {
      n = (int) POLL.invokeExact(pollfd, 1L, 0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
    return n != 0;
  }

  /**
   * Calls {@code recvmsg(2)}, retrying on {@code EINTR}.
   *
   * @param fd the socket
   * @param msghdr a {@code struct msghdr} in native memory
   * @param flags the flags, for example {@link #MSG_CMSG_CLOEXEC}
   * @param state a call-state segment from {@link #allocateCallState(Arena)}
   * @return the count of data bytes received, 0 at end of stream
   * @throws IOException when the call fails
   */
  public static long recvmsg(int fd, MemorySegment msghdr, int flags, MemorySegment state)
      throws IOException {
    while (true) {
      long n;
      try {
        n = (long) RECVMSG.invokeExact(state, fd, msghdr, flags);
      } catch (Throwable t) {
        throw rethrow(t);
      }
      if (n >= 0) {
        return n;
      }
      if (errno(state) != EINTR) {
        throw failure("recvmsg", state);
      }
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
      try {
        int ignored = (int) SHUTDOWN.invokeExact(arena.allocate(CALL_STATE), fd, 2);
      } catch (Throwable t) {
        throw rethrow(t);
      }
    }
  }

  /**
   * Closes an fd once; errors are ignored (the fd is gone either way on Linux).
   *
   * @param fd the fd, or a negative number for none
   */
  public static void close(int fd) {
    if (fd < 0) {
      return;
    }
    try {
      Libc.close(fd);
    } catch (ErrnoException e) {
      // gone either way
    }
  }

  /**
   * Maps {@code length} bytes of a file from offset 0, {@code MAP_SHARED} (through {@link
   * Libc#mmap}).
   *
   * @param fd the file
   * @param length the mapping length, greater than 0
   * @param protection {@link #PROT_READ}, optionally with {@link #PROT_WRITE}
   * @return the mapping's start address; the caller unmaps it with {@link #munmap}
   * @throws IOException when {@code mmap(2)} fails
   */
  public static long mmap(int fd, long length, int protection) throws IOException {
    try {
      return Libc.mmap(length, protection, MAP_SHARED, fd, 0);
    } catch (ErrnoException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /**
   * Unmaps a mapping made by {@link #mmap}; errors are ignored.
   *
   * @param address the mapping's start
   * @param length its length
   */
  public static void munmap(long address, long length) {
    try {
      Libc.munmap(address, length);
    } catch (ErrnoException e) {
      // nothing to do about it: the range stays mapped until the process ends
    }
  }

  /**
   * A segment to capture {@code errno} into, for the calls that take one.
   *
   * @param arena the arena that owns it
   * @return the new segment
   */
  public static MemorySegment allocateCallState(Arena arena) {
    return arena.allocate(CALL_STATE);
  }

  /**
   * The {@code errno} captured by the last call that used {@code state}.
   *
   * @param state the call-state segment
   * @return the error number
   */
  public static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
  }

  /**
   * An exception naming a failed call and its {@code errno}.
   *
   * @param call what failed
   * @param state the call-state segment holding {@code errno}
   * @return the exception, for the caller to throw
   */
  public static IOException failure(String call, MemorySegment state) {
    int errno = errno(state);
    return new IOException(call + " failed: " + describe(errno) + " (errno " + errno + ")");
  }

  /**
   * The C library's text for an error number.
   *
   * @param errno the error number
   * @return for example {@code "Connection refused"}
   */
  public static String describe(int errno) {
    try {
      MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
      return text.reinterpret(256).getString(0);
    } catch (Throwable t) {
      return "error " + errno;
    }
  }

  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException("native call failed", t);
  }
}
