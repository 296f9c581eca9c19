package io.cellar.server.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cellar.protocol.FrameDescriptor;
import io.cellar.protocol.FrameTooLargeException;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameReaderTest {
  private static ByteBuf frame(String json) {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    return Unpooled.buffer().writeLongLE(b.length).writeBytes(b);
  }

  private static String text(ByteBuf b) {
    try {
      return b.toString(StandardCharsets.UTF_8);
    } finally {
      b.release();
    }
  }

  /** An allocator that counts the accumulation buffers asked of it. */
  private static final class CountingAllocator extends AbstractByteBufAllocator {
    int composites;

    CountingAllocator() {
      super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
      return Unpooled.buffer(initialCapacity, maxCapacity);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
      return Unpooled.directBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
      return false;
    }

    @Override
    public CompositeByteBuf compositeBuffer(int maxNumComponents) {
      composites++;
      return super.compositeBuffer(maxNumComponents);
    }
  }

  @Test
  void holdsNoBufferUntilBytesArrive() throws Exception {
    CountingAllocator alloc = new CountingAllocator();
    FrameReader idle = new FrameReader(alloc);
    assertEquals(0, idle.readableBytes());
    assertNull(idle.nextFrame());
    assertEquals(0, idle.readRawInto(java.nio.ByteBuffer.allocate(8)));
    idle.append(Unpooled.EMPTY_BUFFER);
    assertEquals(0, alloc.composites, "a connection that sent nothing holds no buffer");
    idle.close();
    try (FrameReader r = new FrameReader(alloc)) {
      r.append(frame("{}"));
      assertEquals(1, alloc.composites);
      assertEquals("{}", text(r.nextFrame()));
    }
  }

  @Test
  void releasesWhatIsAppendedAfterClose() {
    FrameReader r = new FrameReader(ByteBufAllocator.DEFAULT);
    ByteBuf held = frame("{\"type\":\"a\"}");
    r.append(held);
    r.close();
    assertEquals(0, held.refCnt(), "close releases the bytes held");
    ByteBuf late = frame("{}");
    r.append(late);
    assertEquals(0, late.refCnt(), "bytes that arrive after close are released at once");
    r.close(); // idempotent
    assertEquals(0, r.readableBytes());
  }

  @Test
  void yieldsFramesOnlyWhenComplete() throws Exception {
    try (FrameReader r = new FrameReader(ByteBufAllocator.DEFAULT)) {
      ByteBuf f = frame("{\"type\":\"a\"}");
      r.append(f.readRetainedSlice(5));
      assertNull(r.nextFrame());
      r.append(f.readRetainedSlice(6));
      assertNull(r.nextFrame());
      r.append(f);
      assertEquals("{\"type\":\"a\"}", text(r.nextFrame()));
      assertNull(r.nextFrame());
    }
  }

  @Test
  void splitsSeveralFramesInOneRead() throws Exception {
    try (FrameReader r = new FrameReader(ByteBufAllocator.DEFAULT)) {
      r.append(Unpooled.wrappedBuffer(frame("1"), frame("22"), frame("")));
      assertEquals("1", text(r.nextFrame()));
      assertEquals("22", text(r.nextFrame()));
      assertEquals("", text(r.nextFrame()));
      assertNull(r.nextFrame());
    }
  }

  @Test
  void rejectsLengthsOverTheLimitBeforeBuffering() {
    try (FrameReader r = new FrameReader(ByteBufAllocator.DEFAULT)) {
      r.append(Unpooled.buffer().writeLongLE(FrameDescriptor.MAX_BODY_LENGTH + 1));
      assertThrows(FrameTooLargeException.class, r::nextFrame);
    }
    try (FrameReader r = new FrameReader(ByteBufAllocator.DEFAULT)) {
      r.append(Unpooled.buffer().writeLongLE(-1L)); // 2^64-1 unsigned
      assertThrows(FrameTooLargeException.class, r::nextFrame);
    }
  }

  @Test
  void largeBodiesArriveIntactAcrossManyReads() throws Exception {
    byte[] big = new byte[FrameReader.COPY_LIMIT * 3 + 17];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 7);
    }
    try (FrameReader r = new FrameReader(ByteBufAllocator.DEFAULT)) {
      ByteBuf all = Unpooled.buffer().writeLongLE(big.length).writeBytes(big);
      all.writeBytes(frame("after"));
      while (all.isReadable()) {
        r.append(all.readRetainedSlice(Math.min(1000, all.readableBytes())));
      }
      all.release();
      ByteBuf body = r.nextFrame();
      byte[] got = new byte[body.readableBytes()];
      body.readBytes(got);
      body.release();
      org.junit.jupiter.api.Assertions.assertArrayEquals(big, got);
      assertEquals("after", text(r.nextFrame()));
    }
  }

  @Test
  void acceptsExactlyTheLimit() throws Exception {
    try (FrameReader r = new FrameReader(ByteBufAllocator.DEFAULT)) {
      r.append(Unpooled.buffer().writeLongLE(FrameDescriptor.MAX_BODY_LENGTH));
      assertNull(r.nextFrame());
    }
  }

  @Test
  void rawBytesAreHandedOutWithoutDecoding() throws Exception {
    try (FrameReader r = new FrameReader(ByteBufAllocator.DEFAULT)) {
      r.append(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}, new byte[] {4}));
      r.append(frame("x"));
      java.nio.ByteBuffer raw = java.nio.ByteBuffer.allocate(4);
      assertEquals(4, r.readRawInto(raw));
      assertEquals(4, raw.get(3));
      ByteBuf next = r.nextFrame();
      assertNotNull(next);
      assertEquals("x", text(next));
    }
  }
}
