package io.cellar.protocol;

import java.io.Serial;

/**
 * A frame header announced a body longer than {@link FrameDescriptor#MAX_BODY_LENGTH}; the
 * connection must be dropped without a reply. Immutable.
 */
public final class FrameTooLargeException extends Exception {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * A rejection of a header length.
   *
   * @param length the announced length, read as unsigned
   */
  public FrameTooLargeException(long length) {
    super(
        "frame length "
            + Long.toUnsignedString(length)
            + " exceeds the limit of "
            + FrameDescriptor.MAX_BODY_LENGTH
            + " bytes");
  }
}
