package io.cellar.client.transport;

/**
 * One protocol message on the stream (reference §1.2), both directions, IPC and TCP alike:
 *
 * <pre>
 *   0                   8
 *   +-------------------+----------------------------------------+
 *   | u64 body length L | L bytes of UTF-8 JSON (no terminator)  |
 *   +-------------------+----------------------------------------+
 * </pre>
 *
 * <p>The length is little-endian. Constants only; thread-safe.
 */
public final class FrameDescriptor {
  /** Bytes in the length header. */
  public static final int HEADER_LENGTH = 8;

  /** Offset of the body. */
  public static final int BODY_OFFSET = HEADER_LENGTH;

  /** The largest body this client accepts or sends (Java arrays hold at most about 2 GiB). */
  public static final long MAX_BODY_LENGTH = Integer.MAX_VALUE - 64;

  private FrameDescriptor() {}
}
