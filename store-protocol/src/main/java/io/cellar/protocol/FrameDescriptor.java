package io.cellar.protocol;

import java.nio.ByteOrder;

/**
 * The layout of one protocol frame, identical in both directions and on IPC and RPC alike
 * (reference §1.2):
 *
 * <pre>
 *   0                   8                                  8 + length
 *   +-------------------+----------------------------------+
 *   | length (u64, LE)  | JSON text, UTF-8, no terminator  |
 *   +-------------------+----------------------------------+
 * </pre>
 *
 * <p>A length above {@link #MAX_BODY_LENGTH} is a protocol violation on either side: the server
 * drops the connection without a reply, the client fails the call and closes the connection. Raw
 * bytes that are not frames travel only as the {@link #FD_CARRIER_SIZE}-byte carrier of each passed
 * fd (IPC) and as blob contents after the remote-buffer requests and replies (RPC), never inside a
 * frame, so the limit never bounds a blob.
 *
 * <p>Constants only; thread-safe.
 */
public final class FrameDescriptor {
  /** Offset of the length field. */
  public static final int LENGTH_OFFSET = 0;

  /** Size in bytes of the length field, a C {@code size_t}. */
  public static final int LENGTH_SIZE = 8;

  /** Offset of the JSON body. */
  public static final int BODY_OFFSET = LENGTH_OFFSET + LENGTH_SIZE;

  /** Byte order of the length field (host order of x86-64 and aarch64). */
  public static final ByteOrder LENGTH_ORDER = ByteOrder.LITTLE_ENDIAN;

  /**
   * The largest body either side accepts: 256 MiB (the reference's {@code MESSAGE_HEADER_LIMIT}).
   */
  public static final long MAX_BODY_LENGTH = 256L * 1024 * 1024;

  /** Size of the data payload of each fd-carrying {@code sendmsg}. */
  public static final int FD_CARRIER_SIZE = 1;

  private FrameDescriptor() {}

  /**
   * Whether a length read from a header is acceptable.
   *
   * @param length the header value, read as unsigned
   * @return true when {@code 0 <= length <= MAX_BODY_LENGTH} (unsigned)
   */
  public static boolean isAcceptableLength(long length) {
    return Long.compareUnsigned(length, MAX_BODY_LENGTH) <= 0;
  }
}
