package io.cellar.server.transport;

import io.cellar.posix.FdPassing;
import java.io.IOException;

/**
 * The one way the transport passes a file descriptor to a client: one call per fd, each its own
 * 1-byte {@code SCM_RIGHTS} message (reference §3.3), never blocking. {@link ReplyWriter} calls it
 * for every fd a reply names, after the reply's bytes are written.
 *
 * <p>Implementations are used by one connection's event loop only. The fds passed stay owned by
 * whoever gave them (the store's arenas).
 */
@FunctionalInterface
public interface FdSender {
  /** For connections that cannot carry fds (TCP): any attempt fails. */
  FdSender NONE =
      fd -> {
        throw new IOException("this connection cannot pass file descriptors (TCP)");
      };

  /**
   * Passes one fd without blocking.
   *
   * @param fd the file descriptor to pass (not closed here)
   * @return true when sent, false when the socket's send buffer is full (try again later)
   * @throws IOException when it cannot be sent (the connection should be closed)
   */
  boolean trySend(int fd) throws IOException;

  /**
   * Passes fds over a connected UNIX-domain socket with {@link FdPassing#sendFd}.
   *
   * @param socketFd the socket's own file descriptor
   * @return the sender
   */
  static FdSender overUnixSocket(int socketFd) {
    return fd -> FdPassing.sendFd(socketFd, fd);
  }
}
