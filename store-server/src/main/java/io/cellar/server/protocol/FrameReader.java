package io.cellar.server.protocol;

import io.cellar.protocol.FrameDescriptor;
import io.cellar.protocol.FrameTooLargeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * Accumulates the bytes read from one connection and hands them out either as whole frames or as
 * raw bytes, as the connection asks. Nothing is decoded ahead of the request being served, so a
 * connection can switch to raw mode (the blob contents after a remote-buffer reply) with no bytes
 * lost to an eager decoder.
 *
 * <p>Not thread-safe: owned by one connection and used only on its event loop. Owns the accumulated
 * bytes until {@link #close()}. The accumulation buffer is allocated with the first bytes, so a
 * connection that never sends any (a readiness probe that connects and hangs up) holds no buffer at
 * all, even if its close never reaches the reader (a connection dropped by an event loop that was
 * shutting down).
 */
public final class FrameReader implements AutoCloseable {
  /** Bodies up to this size are copied into one heap buffer (fast to parse); larger are views. */
  static final int COPY_LIMIT = 64 * 1024;

  private final ByteBufAllocator alloc;
  private CompositeByteBuf pending;
  private boolean closed;

  /**
   * An empty reader; it allocates nothing until bytes arrive.
   *
   * @param alloc allocator for the accumulation buffer
   */
  public FrameReader(ByteBufAllocator alloc) {
    this.alloc = alloc;
  }

  /**
   * Appends bytes read from the socket; the reader takes ownership of {@code bytes} (released at
   * once when empty or when the reader is closed).
   *
   * @param bytes the bytes read
   */
  public void append(ByteBuf bytes) {
    if (closed || !bytes.isReadable()) {
      bytes.release();
      return;
    }
    if (pending == null) {
      pending = alloc.compositeBuffer(Integer.MAX_VALUE);
    }
    pending.addComponent(true, bytes);
  }

  /**
   * Number of bytes held and not yet handed out.
   *
   * @return the readable byte count
   */
  public int readableBytes() {
    return pending == null ? 0 : pending.readableBytes();
  }

  /**
   * The next complete frame's body, or null when not all of it has arrived yet.
   *
   * @return a new buffer holding the JSON body (the caller releases it), or null
   * @throws FrameTooLargeException when the header announces more than the limit
   */
  public ByteBuf nextFrame() throws FrameTooLargeException {
    if (readableBytes() < FrameDescriptor.LENGTH_SIZE) {
      return null;
    }
    long length = pending.getLongLE(pending.readerIndex() + FrameDescriptor.LENGTH_OFFSET);
    if (!FrameDescriptor.isAcceptableLength(length)) {
      throw new FrameTooLargeException(length);
    }
    if (pending.readableBytes() < FrameDescriptor.BODY_OFFSET + length) {
      return null;
    }
    pending.skipBytes(FrameDescriptor.BODY_OFFSET);
    int n = (int) length;
    ByteBuf body;
    if (n <= COPY_LIMIT) {
      body = alloc.heapBuffer(n);
      pending.readBytes(body, n);
    } else {
      // a large body is handed out as views of the buffers it arrived in, not copied
      CompositeByteBuf view = alloc.compositeBuffer(Integer.MAX_VALUE);
      for (ByteBuf part : pending.decompose(pending.readerIndex(), n)) {
        view.addComponent(true, part.retain());
      }
      pending.skipBytes(n);
      body = view;
    }
    pending.discardReadComponents();
    return body;
  }

  /**
   * Moves raw bytes (not framed) into a target, as many as are held and fit.
   *
   * @param target where the bytes go, from its position to its limit
   * @return the number of bytes moved
   */
  public int readRawInto(java.nio.ByteBuffer target) {
    int n = Math.min(target.remaining(), readableBytes());
    if (n == 0) {
      return 0;
    }
    java.nio.ByteBuffer slice = target.slice(target.position(), n);
    pending.readBytes(slice);
    target.position(target.position() + n);
    pending.discardReadComponents();
    return n;
  }

  /** Releases the bytes held; bytes appended later are released at once. Idempotent. */
  @Override
  public void close() {
    closed = true;
    if (pending != null) {
      pending.release();
      pending = null;
    }
  }
}
