package io.cellar.core.meta;

import static io.cellar.core.meta.MetaFixture.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.StatusCode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetaTreeNamesTest {
  private final MetaFixture f = new MetaFixture();

  private long persisted(String typename) {
    long id = f.tree.create(object(typename)).id();
    f.tree.persist(id);
    return id;
  }

  private static StatusCode status(Runnable r) {
    return assertThrows(CellarException.class, r::run).status();
  }

  @Test
  void putNameNeedsAPersistedObject() {
    long blob = f.blob(1);
    long transientObject = f.tree.create(object("t::T")).id();
    assertEquals(StatusCode.INVALID, status(() -> f.tree.names().put("b", blob)));
    assertEquals(StatusCode.OBJECT_NOT_EXISTS, status(() -> f.tree.names().put("u", 4242)));
    CellarException e =
        assertThrows(CellarException.class, () -> f.tree.names().put("t", transientObject));
    assertEquals(StatusCode.INVALID, e.status());
    assertEquals("transient objects cannot have name, please persist it first", e.getMessage());
    assertTrue(f.tree.names().list("*", false, 10).isEmpty());
  }

  @Test
  void namesResolveAndAreStoredOnTheObject() {
    long id = persisted("t::T");
    f.tree.names().put("my/data", id);
    assertEquals(id, f.tree.names().get("my/data"));
    assertEquals(
        "my~1data",
        f.tree.get(new long[] {id}).get(ObjectIds.toText(id)).get("__name").textValue(),
        "escaped as the reference shows it");
    assertEquals(Map.of("my/data", id), f.shared().names());
    assertFalse(
        f.shared().objects().get(id).has("__name"),
        "the reference keeps the name out of the object's persisted form");
  }

  @Test
  void rebindingANameMovesIt() {
    long a = persisted("t::A");
    long b = persisted("t::B");
    f.tree.names().put("n", a);
    f.tree.names().put("n", b);
    assertEquals(b, f.tree.names().get("n"));
    assertFalse(f.tree.get(new long[] {a}).get(ObjectIds.toText(a)).has("__name"));
    // deleting the former target keeps the name
    f.tree.delete(new long[] {a}, false, false).result();
    assertEquals(b, f.tree.names().get("n"));
  }

  @Test
  void unknownNameIsObjectNotExists() {
    assertEquals(StatusCode.OBJECT_NOT_EXISTS, status(() -> f.tree.names().get("nope")));
  }

  @Test
  void listNamesIsSortedFilteredAndLimited() {
    long id = persisted("t::T");
    for (String n : List.of("zeta", "alpha", "beta", "alpine")) {
      f.tree.names().put(n, id);
    }
    assertEquals(
        List.of("alpha", "alpine", "beta", "zeta"),
        List.copyOf(f.tree.names().list("*", false, 10).keySet()));
    assertEquals(
        List.of("alpha", "alpine"), List.copyOf(f.tree.names().list("al*", false, 10).keySet()));
    assertEquals(
        List.of("alpha", "beta"), List.copyOf(f.tree.names().list(".*pha|b.*", true, 10).keySet()));
    assertEquals(
        List.of("alpha", "alpine"), List.copyOf(f.tree.names().list("*", false, 2).keySet()));
    assertEquals(id, f.tree.names().list("beta", false, 10).get("beta"));
    assertEquals(StatusCode.INVALID, status(() -> f.tree.names().list("(", true, 10)));
  }

  @Test
  void dropNameRemovesItAndUnknownNamesAreFine() {
    long id = persisted("t::T");
    f.tree.names().put("n", id);
    f.tree.names().drop("n");
    f.tree.names().drop("never-existed");
    assertEquals(StatusCode.OBJECT_NOT_EXISTS, status(() -> f.tree.names().get("n")));
    assertFalse(f.tree.get(new long[] {id}).get(ObjectIds.toText(id)).has("__name"));
    assertTrue(f.shared().names().isEmpty());
    assertTrue(f.tree.exists(id));
  }
}
