package io.cellar.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MemorySizeTest {
  @Test
  void plainNumbersAreBytes() {
    assertEquals(0, MemorySize.parse("0"));
    assertEquals(1073741824L, MemorySize.parse("1073741824"));
    assertEquals(42, MemorySize.parse(" 42 "));
  }

  @Test
  void suffixesArePowersOfTwoAndOnlyTheFirstLetterCounts() {
    assertEquals(4L << 10, MemorySize.parse("4K"));
    assertEquals(256L << 20, MemorySize.parse("256M"));
    assertEquals(4L << 30, MemorySize.parse("4Gi"));
    assertEquals(4L << 30, MemorySize.parse("4GB"));
    assertEquals(4L << 30, MemorySize.parse("4g"));
    assertEquals(2L << 30, MemorySize.parse("2 GiB"));
    assertEquals(1L << 40, MemorySize.parse("1T"));
    assertEquals(1L << 50, MemorySize.parse("1p"));
    assertEquals(1L << 60, MemorySize.parse("1E"));
  }

  @Test
  void fixedPointNumbersAreAcceptedAsTheReferenceDoes() {
    assertEquals(3L << 29, MemorySize.parse("1.5G"));
    assertEquals(3L << 29, MemorySize.parse("1.5Gi"));
    assertEquals(512L << 20, MemorySize.parse(".5G"));
    assertEquals(1_000_000_000L, MemorySize.parse("1e9"));
    assertEquals(1, MemorySize.parse("1.9"));
    assertEquals(2560, MemorySize.parse("2.5k"));
  }

  @Test
  void aNegativeSizeAndAMissingNumberSayWhatIsWrong() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> MemorySize.parse("-1"))
            .getMessage()
            .contains("negative"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> MemorySize.parse("G"))
            .getMessage()
            .contains("no number"));
  }

  @Test
  void badValuesAreNamedInTheMessage() {
    for (String bad : new String[] {"", "G", "-1", "12X", "abc", "8E", "99999999999999999999"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> MemorySize.parse(bad), bad);
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> MemorySize.parse(null));
  }
}
