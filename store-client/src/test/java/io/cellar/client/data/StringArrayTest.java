package io.cellar.client.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class StringArrayTest {
  @Test
  void buffersAreArrowLargeStringBuffers() {
    StringArray a = StringArray.of(Arrays.asList("x", null, "zzz", "ü"));
    assertEquals(Arrays.asList("x", null, "zzz", "ü"), a.toList());
    assertEquals(1, a.nullCount());
    ValueLayout.OfLong le = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    long[] offsets = new long[5];
    for (int i = 0; i < 5; i++) {
      offsets[i] = a.offsetsSegment().get(le, 8L * i);
    }
    assertEquals(List.of(0L, 1L, 1L, 4L, 6L), Arrays.stream(offsets).boxed().toList());
    assertEquals(0b1101, a.validitySegment().get(ValueLayout.JAVA_BYTE, 0));
    assertEquals(1 + 8 * 4 + 6, a.arrowNbytes());
  }

  @Test
  void noNullsMeansNoBitmap() {
    StringArray a = StringArray.of(List.of("a", "b"));
    assertEquals(0, a.validitySegment().byteSize());
    assertEquals(8 * 2 + 2, a.arrowNbytes());
  }

  @Test
  void arrowsSliceOffsetIsHonoured() {
    MemorySegment offsets =
        MemorySegment.ofArray(new long[] {0, 1, 3, 6}); // native order is little-endian here
    MemorySegment data = MemorySegment.ofArray("abbccc".getBytes());
    MemorySegment validity = MemorySegment.ofArray(new byte[] {0b011});
    StringArray a = new StringArray(2, 1, 1, offsets, data, validity, null);
    assertEquals("bb", a.get(0));
    assertNull(a.get(1));
    assertTrue(a.isNull(1));
  }
}
