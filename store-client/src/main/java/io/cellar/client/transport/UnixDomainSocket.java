package io.cellar.client.transport;

import io.cellar.client.posix.PosixCalls;
import io.cellar.core.posix.MsgHdrDescriptor;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A connected {@code AF_UNIX} stream socket driven through FFM, so that the fds vineyardd passes
 * with {@code SCM_RIGHTS} can be received with {@code recvmsg(2)} exactly when they are due.
 *
 * <p>Reads and writes go through native memory: callers hand in native segments (heap segments are
 * copied through a bounce buffer). Not thread-safe: one thread at a time. Owns its fd and its
 * native buffers until {@link #close()}.
 */
public final class UnixDomainSocket implements ByteStream {
  private static final int BOUNCE_SIZE = 64 * 1024;

  /**
   * How long a read polls for the reply before it blocks, in microseconds: system property {@code
   * cellar.client.spinMicros}, default {@value #DEFAULT_SPIN_MICROS}; 0 blocks at once.
   */
  public static final String SPIN_PROPERTY = "cellar.client.spinMicros";

  /** The default of {@link #SPIN_PROPERTY}: a small command's reply arrives well within it. */
  public static final long DEFAULT_SPIN_MICROS = 50;

  private static final long SPIN_NANOS =
      Math.max(0, Long.getLong(SPIN_PROPERTY, DEFAULT_SPIN_MICROS)) * 1000;

  private final Arena arena = Arena.ofShared();
  private final MemorySegment callState = PosixCalls.allocateCallState(arena);
  private final MemorySegment msghdr = arena.allocate(MsgHdrDescriptor.MSGHDR_SIZE, 8);
  private final MemorySegment iovec = arena.allocate(MsgHdrDescriptor.IOVEC_SIZE, 8);
  private final MemorySegment dataByte = arena.allocate(8, 8);
  private final MemorySegment control = arena.allocate(MsgHdrDescriptor.CONTROL_SIZE, 8);
  private final MemorySegment bounce = arena.allocate(BOUNCE_SIZE, 64);
  private final MemorySegment pollfd = arena.allocate(PosixCalls.POLLFD_SIZE, 8);
  private final Path path;
  private volatile int fd;
  private long spinNanos = SPIN_NANOS;

  private UnixDomainSocket(Path path, int fd) {
    this.path = path;
    this.fd = fd;
  }

  /**
   * Connects to a listening UNIX socket.
   *
   * @param path the socket file
   * @return the connected socket, owned by the caller
   * @throws IOException when the path is too long or {@code connect(2)} fails
   */
  public static UnixDomainSocket connect(Path path) throws IOException {
    byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
    if (name.length > MsgHdrDescriptor.SUN_PATH_MAX) {
      throw new IOException(
          "socket path longer than " + MsgHdrDescriptor.SUN_PATH_MAX + " bytes: " + path);
    }
    int fd = PosixCalls.socket(PosixCalls.AF_UNIX);
    try (Arena scratch = Arena.ofConfined()) {
      MemorySegment address = scratch.allocate(MsgHdrDescriptor.SOCKADDR_UN_SIZE, 8);
      address.set(ValueLayout.JAVA_SHORT, 0, (short) PosixCalls.AF_UNIX);
      MemorySegment.copy(
          name, 0, address, ValueLayout.JAVA_BYTE, MsgHdrDescriptor.SUN_PATH_OFFSET, name.length);
      int length = (int) MsgHdrDescriptor.SUN_PATH_OFFSET + name.length + 1;
      PosixCalls.connect(fd, address, length);
    } catch (IOException | RuntimeException e) {
      PosixCalls.close(fd);
      throw new IOException("cannot connect to " + path + ": " + e.getMessage(), e);
    }
    return new UnixDomainSocket(path, fd);
  }

  /**
   * Takes over an already connected {@code AF_UNIX} stream socket (one end of a {@code socketpair},
   * or a socket handed over by a supervisor).
   *
   * @param fd the connected socket; owned by the result from now on
   * @param label the path to name in messages
   * @return the socket
   */
  public static UnixDomainSocket adopt(int fd, Path label) {
    return new UnixDomainSocket(label, fd);
  }

  /**
   * The socket file this socket is connected to.
   *
   * @return the path given to {@link #connect(Path)}
   */
  public Path path() {
    return path;
  }

  @Override
  public void writeFully(MemorySegment source) throws IOException {
    ensureOpen();
    if (source.isNative()) {
      long done = 0;
      long size = source.byteSize();
      while (done < size) {
        done += PosixCalls.write(fd, source.asSlice(done), size - done, callState);
      }
      return;
    }
    long done = 0;
    long size = source.byteSize();
    while (done < size) {
      long chunk = Math.min(BOUNCE_SIZE, size - done);
      MemorySegment.copy(source, done, bounce, 0, chunk);
      writeFully(bounce.asSlice(0, chunk));
      done += chunk;
    }
  }

  @Override
  public void readFully(MemorySegment target) throws IOException {
    ensureOpen();
    long size = target.byteSize();
    long done = 0;
    if (target.isNative()) {
      while (done < size) {
        long n = PosixCalls.read(fd, target.asSlice(done), size - done, callState);
        if (n == 0) {
          throw new EOFException("vineyardd closed the connection on " + path);
        }
        done += n;
      }
      return;
    }
    while (done < size) {
      long chunk = Math.min(BOUNCE_SIZE, size - done);
      readFully(bounce.asSlice(0, chunk));
      MemorySegment.copy(bounce, 0, target, done, chunk);
      done += chunk;
    }
  }

  /**
   * Sets how long {@link #awaitReadable()} polls before giving up, overriding {@link
   * #SPIN_PROPERTY} for this socket.
   *
   * @param micros microseconds, 0 to block at once
   */
  public void spinMicros(long micros) {
    if (micros < 0) {
      throw new IllegalArgumentException("negative spin " + micros);
    }
    spinNanos = micros * 1000;
  }

  /**
   * Spins briefly before a read would block: a reply to a small command comes back in a few
   * microseconds, while sleeping in {@code read(2)} costs a thread wake-up (tens of microseconds on
   * a virtual machine whose idle CPU has halted). Polls with {@link PosixCalls#readableNow} (no
   * lock on the socket's queue) and yields between polls, so a server thread waiting for this CPU
   * gets it; gives up after {@link #SPIN_PROPERTY} and lets the read block.
   */
  @Override
  public void awaitReadable() {
    int current = fd;
    if (spinNanos == 0 || current < 0) {
      return;
    }
    long start = System.nanoTime();
    while (!PosixCalls.readableNow(pollfd, current)) {
      if (System.nanoTime() - start > spinNanos) {
        return;
      }
      Thread.yield();
    }
  }

  /**
   * Receives one fd sent as a 1-byte message with one {@code SCM_RIGHTS} control message (reference
   * §3.3). A message that carries no fd, or more than one, is an error; every fd it carried is
   * closed.
   *
   * @return the received fd, close-on-exec, owned by the caller
   * @throws IOException when the connection fails or the message is not exactly one fd
   */
  public int receiveFd() throws IOException {
    ensureOpen();
    iovec.set(ValueLayout.ADDRESS, MsgHdrDescriptor.IOV_BASE_OFFSET, dataByte);
    iovec.set(ValueLayout.JAVA_LONG, MsgHdrDescriptor.IOV_LEN_OFFSET, 1L);
    msghdr.fill((byte) 0);
    control.fill((byte) 0);
    msghdr.set(ValueLayout.ADDRESS, MsgHdrDescriptor.MSG_IOV_OFFSET, iovec);
    msghdr.set(ValueLayout.JAVA_LONG, MsgHdrDescriptor.MSG_IOVLEN_OFFSET, 1L);
    msghdr.set(ValueLayout.ADDRESS, MsgHdrDescriptor.MSG_CONTROL_OFFSET, control);
    msghdr.set(ValueLayout.JAVA_LONG, MsgHdrDescriptor.MSG_CONTROLLEN_OFFSET, control.byteSize());
    long n = PosixCalls.recvmsg(fd, msghdr, PosixCalls.MSG_CMSG_CLOEXEC, callState);
    if (n == 0) {
      throw new EOFException(
          "vineyardd closed the connection on " + path + " before sending an fd");
    }
    long controlLength = msghdr.get(ValueLayout.JAVA_LONG, MsgHdrDescriptor.MSG_CONTROLLEN_OFFSET);
    int flags = msghdr.get(ValueLayout.JAVA_INT, MsgHdrDescriptor.MSG_FLAGS_OFFSET);
    if (controlLength < MsgHdrDescriptor.cmsgLength(1)) {
      throw new IOException("expected an fd from vineyardd on " + path + ", got a plain byte");
    }
    long cmsgLength = control.get(ValueLayout.JAVA_LONG, MsgHdrDescriptor.CMSG_LEN_OFFSET);
    int level = control.get(ValueLayout.JAVA_INT, MsgHdrDescriptor.CMSG_LEVEL_OFFSET);
    int type = control.get(ValueLayout.JAVA_INT, MsgHdrDescriptor.CMSG_TYPE_OFFSET);
    int count =
        (int)
            Math.max(
                0,
                Math.min(
                    MsgHdrDescriptor.MAX_FDS,
                    (cmsgLength - MsgHdrDescriptor.CMSG_DATA_OFFSET) / 4));
    boolean rights = level == MsgHdrDescriptor.SOL_SOCKET && type == MsgHdrDescriptor.SCM_RIGHTS;
    if (!rights || count != 1 || (flags & MsgHdrDescriptor.MSG_CTRUNC) != 0) {
      if (rights) {
        for (int i = 0; i < count; i++) {
          PosixCalls.close(
              control.get(ValueLayout.JAVA_INT, MsgHdrDescriptor.CMSG_DATA_OFFSET + 4L * i));
        }
      }
      throw new IOException(
          "expected exactly one SCM_RIGHTS fd from vineyardd on "
              + path
              + ", got "
              + (rights ? count + " fds" : "control message " + level + "/" + type)
              + ((flags & MsgHdrDescriptor.MSG_CTRUNC) != 0 ? " (truncated)" : ""));
    }
    return control.get(ValueLayout.JAVA_INT, MsgHdrDescriptor.CMSG_DATA_OFFSET);
  }

  private void ensureOpen() throws IOException {
    if (fd < 0) {
      throw new IOException("the connection to " + path + " is closed");
    }
  }

  /**
   * The socket's fd, for tests and diagnostics; -1 once closed.
   *
   * @return the fd
   */
  public int fd() {
    return fd;
  }

  @Override
  public void shutdown() {
    int current = fd;
    if (current >= 0) {
      PosixCalls.shutdown(current);
    }
  }

  @Override
  public void close() {
    if (fd >= 0) {
      PosixCalls.close(fd);
      fd = -1;
      arena.close();
    }
  }
}
