package io.cellar.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MemorySizeParserTest {
  @Test
  void suffixesArePowersOfTwo() {
    assertEquals(1024, MemorySizeParser.parse("1024"));
    assertEquals(1L << 10, MemorySizeParser.parse("1K"));
    assertEquals(3L << 20, MemorySizeParser.parse("3M"));
    assertEquals(4L << 30, MemorySizeParser.parse("4G"));
    assertEquals(4L << 30, MemorySizeParser.parse("4Gi"));
    assertEquals(4L << 30, MemorySizeParser.parse("4gb"));
    assertEquals(1L << 40, MemorySizeParser.parse("1T"));
    assertEquals(1L << 50, MemorySizeParser.parse("1P"));
    assertEquals(1L << 60, MemorySizeParser.parse("1E"));
  }

  @Test
  void emptyMeansTheMachine() {
    assertTrue(MemorySizeParser.parse("") > 0);
  }

  @Test
  void rejectsNonsense() {
    assertThrows(IllegalArgumentException.class, () -> MemorySizeParser.parse("G"));
    assertThrows(IllegalArgumentException.class, () -> MemorySizeParser.parse("12Q"));
    assertThrows(IllegalArgumentException.class, () -> MemorySizeParser.parse("16E"));
  }
}
