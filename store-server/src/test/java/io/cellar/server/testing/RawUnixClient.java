package io.cellar.server.testing;

import static io.cellar.posix.MsgHdrDescriptor.*;

import io.cellar.posix.Downcall;
import io.cellar.posix.Errno;
import io.cellar.posix.ErrnoException;
import io.cellar.posix.FileCalls;
import io.cellar.posix.MemoryCalls;
import io.cellar.posix.SocketCalls;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
  private final MemorySegment errno = Downcall.newCallState(arena);
  private final MemorySegment msg = arena.allocate(MSGHDR_SIZE, 8);
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
      fd = SocketCalls.connectUnix(path);
      SocketCalls.setReceiveTimeout(fd, timeoutSeconds * 1000L);
    } catch (IOException e) {
      arena.close();
      throw e;
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
        off += SocketCalls.write(fd, buf.asSlice(off), bytes.length - off, errno);
      }
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
    try {
      return SocketCalls.recvmsg(fd, msg, 0, errno);
    } catch (ErrnoException e) {
      if (e.errno() == Errno.EAGAIN) {
        throw new IOException("timed out waiting for the server", e);
      }
      if (e.errno() == Errno.ECONNRESET) {
        return 0;
      }
      throw e;
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
    int prot = MemoryCalls.PROT_READ | (writable ? MemoryCalls.PROT_WRITE : 0);
    long address = MemoryCalls.mmap(0, length, prot, MemoryCalls.MAP_SHARED, fd, 0);
    return MemorySegment.ofAddress(address).reinterpret(length);
  }

  /**
   * Unmaps a mapping from {@link #map}.
   *
   * @param mapping the mapping
   */
  public static void unmap(MemorySegment mapping) {
    try {
      MemoryCalls.munmap(mapping.address(), mapping.byteSize());
    } catch (ErrnoException e) {
      // best effort in tests: the range stays mapped until the test JVM ends
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
    return FileCalls.open(path.toString(), FileCalls.O_RDONLY | FileCalls.O_CLOEXEC, 0);
  }

  /**
   * Closes an fd received with {@link #receiveFd()}.
   *
   * @param fd the fd
   */
  public static void closeFd(int fd) {
    FileCalls.closeQuietly(fd);
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
