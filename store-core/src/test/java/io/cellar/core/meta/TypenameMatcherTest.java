package io.cellar.core.meta;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class TypenameMatcherTest {
  private static Predicate<String> glob(String p) {
    return TypenameMatcher.compile(p, false);
  }

  @Test
  void starAndQuestionMarkCrossAnyCharacterIncludingSlash() {
    assertTrue(glob("a*c").test("a/b/c"));
    assertTrue(glob("a?c").test("a/c"));
    assertFalse(glob("a?c").test("ac"));
  }

  @Test
  void regexMetacharactersAreLiteralInGlobs() {
    assertTrue(glob("a.b+(c)").test("a.b+(c)"));
    assertFalse(glob("a.b").test("axb"));
    assertTrue(glob("std::vector<int>").test("std::vector<int>"));
  }

  @Test
  void bracketsSupportRangesNegationAndLeadingBracket() {
    assertTrue(glob("x[a-c]").test("xb"));
    assertFalse(glob("x[a-c]").test("xd"));
    assertFalse(glob("x[!a-c]").test("xb"));
    assertTrue(glob("x[^a-c]").test("xz"));
    assertTrue(glob("x[]]").test("x]"));
    assertTrue(glob("x[-a]").test("x-"));
    assertTrue(glob("x[").test("x["));
  }

  @Test
  void backslashEscapes() {
    assertTrue(glob("a\\*").test("a*"));
    assertFalse(glob("a\\*").test("ab"));
  }
}
