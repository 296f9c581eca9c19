package io.cellar.client.testing;

import io.cellar.client.transport.ByteStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A {@link ByteStream} over byte arrays: what the client writes is collected, what it reads comes
 * from a prepared input. Not thread-safe.
 */
public final class MemoryByteStream implements ByteStream {
  private final ByteArrayOutputStream written = new ByteArrayOutputStream();
  private final byte[] input;
  private int position;

  /**
   * A stream whose reads return {@code input}.
   *
   * @param input the bytes to read
   */
  public MemoryByteStream(byte[] input) {
    this.input = input;
  }

  /**
   * Everything written so far.
   *
   * @return a copy
   */
  public byte[] written() {
    return written.toByteArray();
  }

  @Override
  public void writeFully(MemorySegment source) {
    written.writeBytes(source.toArray(ValueLayout.JAVA_BYTE));
  }

  @Override
  public void readFully(MemorySegment target) throws EOFException {
    if (position + target.byteSize() > input.length) {
      throw new EOFException("end of the prepared input");
    }
    MemorySegment.copy(MemorySegment.ofArray(input), position, target, 0, target.byteSize());
    position += (int) target.byteSize();
  }

  @Override
  public void shutdown() {}

  @Override
  public void close() {}
}
