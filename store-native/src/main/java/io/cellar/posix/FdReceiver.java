package io.cellar.posix;

import static io.cellar.posix.MsgHdrDescriptor.CMSG_DATA_OFFSET;
import static io.cellar.posix.MsgHdrDescriptor.CMSG_LEN_OFFSET;
import static io.cellar.posix.MsgHdrDescriptor.CMSG_LEVEL_OFFSET;
import static io.cellar.posix.MsgHdrDescriptor.CMSG_TYPE_OFFSET;
import static io.cellar.posix.MsgHdrDescriptor.MSG_CONTROLLEN_OFFSET;
import static io.cellar.posix.MsgHdrDescriptor.MSG_CTRUNC;
import static io.cellar.posix.MsgHdrDescriptor.MSG_FLAGS_OFFSET;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Receives the fds a vineyard server passes (reference §3.3): each arrives as a 1-byte message with
 * one {@code SCM_RIGHTS} control message holding exactly one fd. A message that carries no fd, or
 * more than one, or was truncated, is an error, and every fd it carried is closed, as the reference
 * client does. Received fds are close-on-exec.
 *
 * <p>Owns its native {@code msghdr}, {@code iovec} and control buffers (room for {@link
 * MsgHdrDescriptor#MAX_FDS} fds) until {@link #close()}. Not thread-safe: one per connection, used
 * by the thread that reads it.
 */
public final class FdReceiver implements AutoCloseable {
  private final Arena arena = Arena.ofShared();
  private final MemorySegment state = Downcall.newCallState(arena);
  private final MemorySegment msghdr = arena.allocate(MsgHdrDescriptor.MSGHDR_SIZE, 8);
  private final MemorySegment iovec = arena.allocate(MsgHdrDescriptor.IOVEC_SIZE, 8);
  private final MemorySegment dataByte = arena.allocate(8, 8);
  private final MemorySegment control = arena.allocate(MsgHdrDescriptor.CONTROL_SIZE, 8);

  /** Allocates the buffers. */
  public FdReceiver() {}

  /**
   * Receives one fd.
   *
   * @param socket the connected socket
   * @return the received fd, owned by the caller
   * @throws EOFException when the peer closed the connection first
   * @throws IOException when the call fails or the message is not exactly one fd
   */
  public int receiveOne(int socket) throws IOException {
    iovec.set(ValueLayout.ADDRESS, MsgHdrDescriptor.IOV_BASE_OFFSET, dataByte);
    iovec.set(ValueLayout.JAVA_LONG, MsgHdrDescriptor.IOV_LEN_OFFSET, 1L);
    msghdr.fill((byte) 0);
    control.fill((byte) 0);
    msghdr.set(ValueLayout.ADDRESS, MsgHdrDescriptor.MSG_IOV_OFFSET, iovec);
    msghdr.set(ValueLayout.JAVA_LONG, MsgHdrDescriptor.MSG_IOVLEN_OFFSET, 1L);
    msghdr.set(ValueLayout.ADDRESS, MsgHdrDescriptor.MSG_CONTROL_OFFSET, control);
    msghdr.set(ValueLayout.JAVA_LONG, MSG_CONTROLLEN_OFFSET, control.byteSize());
    long n = SocketCalls.recvmsg(socket, msghdr, MsgHdrDescriptor.MSG_CMSG_CLOEXEC, state);
    if (n == 0) {
      throw new EOFException("the peer closed the connection before sending an fd");
    }
    long controlLength = msghdr.get(ValueLayout.JAVA_LONG, MSG_CONTROLLEN_OFFSET);
    int flags = msghdr.get(ValueLayout.JAVA_INT, MSG_FLAGS_OFFSET);
    if (controlLength < MsgHdrDescriptor.cmsgLength(1)) {
      throw new IOException("expected an fd, got a plain byte");
    }
    long cmsgLength = control.get(ValueLayout.JAVA_LONG, CMSG_LEN_OFFSET);
    int level = control.get(ValueLayout.JAVA_INT, CMSG_LEVEL_OFFSET);
    int type = control.get(ValueLayout.JAVA_INT, CMSG_TYPE_OFFSET);
    int count =
        (int) Math.max(0, Math.min(MsgHdrDescriptor.MAX_FDS, (cmsgLength - CMSG_DATA_OFFSET) / 4));
    boolean rights = level == MsgHdrDescriptor.SOL_SOCKET && type == MsgHdrDescriptor.SCM_RIGHTS;
    boolean truncated = (flags & MSG_CTRUNC) != 0;
    if (!rights || count != 1 || truncated) {
      if (rights) {
        for (int i = 0; i < count; i++) {
          FileCalls.closeQuietly(control.get(ValueLayout.JAVA_INT, CMSG_DATA_OFFSET + 4L * i));
        }
      }
      throw new IOException(
          "expected exactly one SCM_RIGHTS fd, got "
              + (rights ? count + " fds" : "control message " + level + "/" + type)
              + (truncated ? " (truncated)" : ""));
    }
    return control.get(ValueLayout.JAVA_INT, CMSG_DATA_OFFSET);
  }

  /** Frees the buffers. Idempotent. */
  @Override
  public void close() {
    if (arena.scope().isAlive()) {
      arena.close();
    }
  }
}
