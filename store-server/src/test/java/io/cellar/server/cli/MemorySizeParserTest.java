package io.cellar.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.core.memory.MemorySize;
import org.junit.jupiter.api.Test;

/** What the server adds to store-core's {@link MemorySize} (whose own test covers the syntax). */
class MemorySizeParserTest {
  @Test
  void emptyOrBlankMeansTheSystemDefault() {
    long def = MemorySizeParser.systemDefault();
    assertTrue(def > 0);
    assertEquals(def, MemorySizeParser.parse(""));
    assertEquals(def, MemorySizeParser.parse("  "));
  }

  @Test
  void anyOtherValueIsCoresParse() {
    assertEquals(MemorySize.parse("4Gi"), MemorySizeParser.parse("4Gi"));
    assertThrows(IllegalArgumentException.class, () -> MemorySizeParser.parse("12Q"));
  }
}
