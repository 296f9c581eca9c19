package io.cellar.client.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected strings are what CPython 3.11's {@code json.dumps} prints for the same values. */
class PythonJsonTest {
  @Test
  void listsUseCommaSpace() {
    assertEquals("[2, 3]", PythonJson.dumps(new long[] {2, 3}));
    assertEquals("[]", PythonJson.dumps(new long[0]));
    assertEquals("[]", PythonJson.dumps(List.of()));
    assertEquals("[\"a\", \"b\"]", PythonJson.dumps(List.of("a", "b")));
  }

  @Test
  void scalars() {
    assertEquals("\"C\"", PythonJson.dumps("C"));
    assertEquals("null", PythonJson.dumps(null));
    assertEquals("true", PythonJson.dumps(true));
    assertEquals("-1", PythonJson.dumps(-1));
    assertEquals("1.5", PythonJson.dumps(1.5));
  }

  @Test
  void nonAsciiAndControlCharactersAreEscapedLikeEnsureAscii() {
    assertEquals("\"caf\\u00e9\"", PythonJson.dumps("café"));
    assertEquals("\"a\\\"b\\\\c\\n\"", PythonJson.dumps("a\"b\\c\n"));
    assertEquals("\"\\u0001\"", PythonJson.dumps("\u0001"));
    assertEquals("[\"x\", null, 1]", PythonJson.dumps(Arrays.asList("x", null, 1)));
  }

  @Test
  void loadsReadsWhatDumpsWrote() {
    assertEquals("café", PythonJson.loads(PythonJson.dumps("café")).asText());
  }
}
