package io.cellar.client.transport;

import io.cellar.posix.Downcall;
import io.cellar.posix.FdReceiver;
import io.cellar.posix.FileCalls;
import io.cellar.posix.SocketCalls;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
  private final MemorySegment callState = Downcall.newCallState(arena);
  private final FdReceiver fdReceiver = new FdReceiver();
  private final MemorySegment bounce = arena.allocate(BOUNCE_SIZE, 64);
  private final MemorySegment pollfd = arena.allocate(SocketCalls.POLLFD_SIZE, 8);
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
    try {
      return new UnixDomainSocket(path, SocketCalls.connectUnix(path));
    } catch (IOException e) {
      throw new IOException("cannot connect to " + path + ": " + e.getMessage(), e);
    }
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
        done += SocketCalls.write(fd, source.asSlice(done), size - done, callState);
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
        long n = SocketCalls.read(fd, target.asSlice(done), size - done, callState);
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
   * a virtual machine whose idle CPU has halted). Polls with {@link SocketCalls#readableNow} (no
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
    while (!SocketCalls.readableNow(pollfd, current)) {
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
    try {
      return fdReceiver.receiveOne(fd);
    } catch (EOFException e) {
      throw new EOFException(
          "vineyardd closed the connection on " + path + " before sending an fd");
    } catch (IOException e) {
      throw new IOException("from vineyardd on " + path + ": " + e.getMessage(), e);
    }
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
      SocketCalls.shutdown(current);
    }
  }

  @Override
  public void close() {
    if (fd >= 0) {
      FileCalls.closeQuietly(fd);
      fd = -1;
      fdReceiver.close();
      arena.close();
    }
  }
}
