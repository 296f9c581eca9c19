package io.cellar.client.transport;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A connected, blocking byte stream to a vineyardd: the UNIX socket of {@link UnixDomainSocket} or
 * the TCP connection of {@link TcpStream}.
 *
 * <p>Not thread-safe: one thread at a time (the clients hold their lock around each request).
 */
public interface ByteStream extends AutoCloseable {
  /**
   * Writes every byte of {@code source}.
   *
   * @param source the bytes to send; read only during the call and not retained
   * @throws IOException when the connection fails
   */
  void writeFully(MemorySegment source) throws IOException;

  /**
   * Fills {@code target} completely.
   *
   * @param target where to put the bytes; written only during the call and not retained
   * @throws IOException when the connection fails or ends first ({@link java.io.EOFException})
   */
  void readFully(MemorySegment target) throws IOException;

  /**
   * Returns once a read is likely not to block, or when the stream gives up waiting actively; the
   * read that follows blocks as usual. Called before reading a reply, so that a stream can spin
   * instead of sleeping through a round trip of a few microseconds. Does nothing by default.
   */
  default void awaitReadable() {}

  /**
   * Shuts the connection down in both directions without releasing it, so that a thread blocked
   * reading or writing fails at once; safe to call from any thread. Idempotent.
   */
  void shutdown();

  /** Closes the connection; idempotent. */
  @Override
  void close();
}
