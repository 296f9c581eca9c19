package io.cellar.core.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An object's plain fields: the ObjectNode operations the tree uses, in field order. */
class AttributesTest {
  private static Attributes of(String json) throws Exception {
    return Attributes.of((ObjectNode) MetaFixture.JSON.readTree(json));
  }

  private static List<String> names(Attributes a) {
    List<String> out = new ArrayList<>();
    a.forEach((name, value) -> out.add(name));
    return out;
  }

  @Test
  void fieldsKeepTheirOrderAndValues() throws Exception {
    Attributes a = of("{\"typename\":\"t\",\"nbytes\":3,\"transient\":true}");
    assertEquals(List.of("typename", "nbytes", "transient"), names(a));
    assertEquals("t", a.get("typename").textValue());
    assertEquals(3, a.path("nbytes").intValue());
    assertTrue(a.has("transient"));
    assertNull(a.get("missing"));
    assertTrue(a.path("missing").isMissingNode());
    assertNull(a.path("missing").asText(null), "as ObjectNode.path(...).asText(null) gives");
  }

  @Test
  void setReplacesInPlaceOrAppendsAndRemoveKeepsTheRestInOrder() throws Exception {
    Attributes a = of("{\"a\":1,\"b\":2,\"c\":3}");
    a.set("b", IntNode.valueOf(20));
    a.set("d", IntNode.valueOf(4));
    a.set("e", TextNode.valueOf("five"));
    assertEquals(List.of("a", "b", "c", "d", "e"), names(a));
    assertEquals(20, a.get("b").intValue());
    a.remove("a");
    a.remove("d");
    a.remove("nothing");
    assertEquals(List.of("b", "c", "e"), names(a));
    assertFalse(a.has("a"));
    assertEquals("{\"b\":20,\"c\":3,\"e\":\"five\"}", a.toString());
  }

  @Test
  void theObjectNodeFormIsADeepCopy() throws Exception {
    Attributes a = of("{\"shape\":[1,2],\"n\":1}");
    ObjectNode copy = a.toObjectNode();
    assertEquals(MetaFixture.JSON.readTree("{\"shape\":[1,2],\"n\":1}"), copy);
    assertNotSame(a.get("shape"), copy.get("shape"));
    ((com.fasterxml.jackson.databind.node.ArrayNode) copy.get("shape")).add(3);
    assertEquals(2, a.get("shape").size(), "the stored value is unchanged");
    assertEquals(a, of("{\"n\":1,\"shape\":[1,2]}"), "equal as JSON objects, whatever the order");
  }

  @Test
  void anEmptyObjectGrowsOnSet() {
    Attributes a = Attributes.of(JsonNodeFactory.instance.objectNode());
    for (int i = 0; i < 20; i++) {
      a.set("f" + i, IntNode.valueOf(i));
    }
    assertEquals(20, names(a).size());
    assertEquals(19, a.get("f19").intValue());
  }
}
