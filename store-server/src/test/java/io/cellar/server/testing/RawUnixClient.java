package io.cellar.server.testing;

import static io.cellar.core.posix.MsgHdrDescriptor.*;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A blocking UNIX-domain socket client written on raw syscalls (FFM), for checking the server's
 * bytes exactly: every read goes through {@code recvmsg} with a control buffer, so ancillary data
 * riding on JSON bytes is detected, and {@link #receiveFd()} insists on one data byte carrying
 * exactly one {@code SCM_RIGHTS} fd, as the reference's {@code recv_fd} does.
 *
 * <p>Not thread-safe. Closes its socket on {@link #close()}.
 */
@SuppressWarnings("restricted")
public final class RawUnixClient implements AutoCloseable {
  private static final int CONTROL_SIZE = 64;

  private final Arena arena = Arena.ofShared();
  private final MemorySegment errno = Posix.errnoState(arena);
  private final MemorySegment msg = arena.allocate(MSGHDR);
  private final MemorySegment iov = arena.allocate(IOVEC_SIZE, 8);
  private final MemorySegment control = arena.allocate(CONTROL_SIZE, 8);
  private final int fd;
  private boolean closed;

  /**
   * Connects.
   *
   * @param path the socket path
   * @param timeoutSeconds receive timeout, so a missing reply fails instead of hanging
   * @throws IOException when the connection fails
   */
  public RawUnixClient(Path path, int timeoutSeconds) throws IOException {
    try {
      fd = (int) Posix.SOCKET.invokeExact(errno, Posix.AF_UNIX, Posix.SOCK_STREAM, 0);
      if (fd < 0) {
        throw Posix.failure("socket", errno);
      }
      MemorySegment tv = arena.allocate(16, 8);
      tv.set(ValueLayout.JAVA_LONG, 0, timeoutSeconds);
      int r =
          (int)
              Posix.SETSOCKOPT.invokeExact(errno, fd, Posix.SOL_SOCKET, Posix.SO_RCVTIMEO, tv, 16);
      if (r != 0) {
        throw Posix.failure("setsockopt", errno);
      }
      byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
      MemorySegment addr = arena.allocate(110, 8);
      addr.set(ValueLayout.JAVA_SHORT, 0, (short) Posix.AF_UNIX);
      MemorySegment.copy(p, 0, addr, ValueLayout.JAVA_BYTE, 2, p.length);
      r = (int) Posix.CONNECT.invokeExact(errno, fd, addr, 110);
      if (r != 0) {
        IOException e = Posix.failure("connect " + path, errno);
        int ignored = (int) Posix.CLOSE.invokeExact(errno, fd);
        throw e;
      }
    } catch (IOException e) {
      arena.close();
      throw e;
    } catch (Throwable t) {
      arena.close();
      throw new IOException(t);
    }
  }

  /**
   * Writes all bytes.
   *
   * @param bytes the bytes
   * @throws IOException on a write error
   */
  public void write(byte[] bytes) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(Math.max(1, bytes.length));
      MemorySegment.copy(bytes, 0, buf, ValueLayout.JAVA_BYTE, 0, bytes.length);
      long off = 0;
      while (off < bytes.length) {
        long n = (long) Posix.WRITE.invokeExact(errno, fd, buf.asSlice(off), bytes.length - off);
        if (n < 0) {
          if (Posix.errno(errno) == EINTR) {
            continue;
          }
          throw Posix.failure("write", errno);
        }
        off += n;
      }
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException(t);
    }
  }

  /**
   * Reads exactly {@code n} bytes, failing if any ancillary data (an fd) arrives with them.
   *
   * @param n the byte count
   * @return the bytes
   * @throws EOFException when the server closes first
   * @throws IOException on a read error, a timeout, or ancillary data on these bytes
   */
  public byte[] readExactly(int n) throws IOException {
    byte[] out = new byte[n];
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(Math.max(1, n));
      int off = 0;
      while (off < n) {
        long got = recv(buf.asSlice(off), n - off);
        if (got == 0) {
          throw new EOFException("server closed the connection after " + off + " of " + n);
        }
        if (msg.get(ValueLayout.JAVA_LONG, MSG_CONTROLLEN_OFFSET) != 0) {
          throw new IOException("ancillary data arrived with reply bytes (an fd rode on JSON)");
        }
        off += (int) got;
      }
      MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, out, 0, n);
    }
    return out;
  }

  /**
   * Whether the server has closed the connection: reads one byte and expects end-of-file.
   *
   * @return true on end-of-file, false if a byte arrived
   * @throws IOException on a timeout or error
   */
  public boolean readsEof() throws IOException {
    try (Arena a = Arena.ofConfined()) {
      long got = recv(a.allocate(1), 1);
      return got == 0;
    }
  }

  /**
   * Receives one passed fd: exactly one data byte and exactly one {@code SCM_RIGHTS} fd.
   *
   * @return the received fd (owned by the caller)
   * @throws IOException when the message is not exactly that
   */
  public int receiveFd() throws IOException {
    try (Arena a = Arena.ofConfined()) {
      long got = recv(a.allocate(1), 1);
      if (got != 1) {
        throw new IOException("expected the 1-byte fd carrier, got " + got + " bytes");
      }
      long controlLen = msg.get(ValueLayout.JAVA_LONG, MSG_CONTROLLEN_OFFSET);
      int flags = msg.get(ValueLayout.JAVA_INT, MSG_FLAGS_OFFSET);
      if ((flags & MSG_CTRUNC) != 0) {
        throw new IOException("control data truncated: more than one fd in one message");
      }
      if (controlLen < CMSG_LEN_ONE_FD) {
        throw new IOException("the fd carrier byte came without an fd");
      }
      long cmsgLen = control.get(ValueLayout.JAVA_LONG, CMSG_LEN_OFFSET);
      int level = control.get(ValueLayout.JAVA_INT, CMSG_LEVEL_OFFSET);
      int type = control.get(ValueLayout.JAVA_INT, CMSG_TYPE_OFFSET);
      if (level != SOL_SOCKET || type != SCM_RIGHTS || cmsgLen != CMSG_LEN_ONE_FD) {
        throw new IOException(
            "expected one SCM_RIGHTS fd, got level " + level + " type " + type + " len " + cmsgLen);
      }
      if (controlLen > CMSG_SPACE_ONE_FD) {
        throw new IOException("more than one control message with the fd carrier");
      }
      return control.get(ValueLayout.JAVA_INT, CMSG_DATA_OFFSET);
    }
  }

  private long recv(MemorySegment buf, long len) throws IOException {
    iov.set(ValueLayout.ADDRESS, IOV_BASE_OFFSET, buf);
    iov.set(ValueLayout.JAVA_LONG, IOV_LEN_OFFSET, len);
    msg.fill((byte) 0);
    msg.set(ValueLayout.ADDRESS, MSG_IOV_OFFSET, iov);
    msg.set(ValueLayout.JAVA_LONG, MSG_IOVLEN_OFFSET, 1);
    msg.set(ValueLayout.ADDRESS, MSG_CONTROL_OFFSET, control);
    msg.set(ValueLayout.JAVA_LONG, MSG_CONTROLLEN_OFFSET, CONTROL_SIZE);
    while (true) {
      long n;
      try {
        n = (long) Posix.RECVMSG.invokeExact(errno, fd, msg, 0);
      } catch (Throwable t) {
        throw new IOException(t);
      }
      if (n >= 0) {
        return n;
      }
      int e = Posix.errno(errno);
      if (e == EINTR) {
        continue;
      }
      if (e == EAGAIN) {
        throw new IOException("timed out waiting for the server");
      }
      if (e == 104) { // ECONNRESET
        return 0;
      }
      throw Posix.failure("recvmsg", errno);
    }
  }

  /**
   * Maps an fd shared, from offset 0.
   *
   * @param fd the fd
   * @param length bytes to map
   * @param writable whether to map read-write
   * @return the mapping; unmap with {@link #unmap(MemorySegment)}
   * @throws IOException when mmap fails
   */
  public static MemorySegment map(int fd, long length, boolean writable) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment e = Posix.errnoState(a);
      int prot = Posix.PROT_READ | (writable ? Posix.PROT_WRITE : 0);
      MemorySegment p =
          (MemorySegment)
              Posix.MMAP.invokeExact(e, MemorySegment.NULL, length, prot, Posix.MAP_SHARED, fd, 0L);
      if (p.address() == -1L) {
        throw Posix.failure("mmap", e);
      }
      return p.reinterpret(length);
    } catch (IOException ex) {
      throw ex;
    } catch (Throwable t) {
      throw new IOException(t);
    }
  }

  /**
   * Unmaps a mapping from {@link #map}.
   *
   * @param mapping the mapping
   */
  public static void unmap(MemorySegment mapping) {
    try (Arena a = Arena.ofConfined()) {
      int r = (int) Posix.MUNMAP.invokeExact(Posix.errnoState(a), mapping, mapping.byteSize());
    } catch (Throwable t) {
      // best effort in tests
    }
  }

  /**
   * Opens a file read-only.
   *
   * @param path the file
   * @return the fd
   * @throws IOException when open fails
   */
  public static int openReadOnly(Path path) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment e = Posix.errnoState(a);
      int fd = (int) Posix.OPEN.invokeExact(e, a.allocateFrom(path.toString()), 0);
      if (fd < 0) {
        throw Posix.failure("open " + path, e);
      }
      return fd;
    } catch (IOException ex) {
      throw ex;
    } catch (Throwable t) {
      throw new IOException(t);
    }
  }

  /**
   * Closes an fd received with {@link #receiveFd()}.
   *
   * @param fd the fd
   */
  public static void closeFd(int fd) {
    try (Arena a = Arena.ofConfined()) {
      int r = (int) Posix.CLOSE.invokeExact(Posix.errnoState(a), fd);
    } catch (Throwable t) {
      // best effort in tests
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      closeFd(fd);
      arena.close();
    }
  }
}
