package io.cellar.core.meta;

import static io.cellar.core.meta.MetaFixture.JSON;
import static io.cellar.core.meta.MetaFixture.json;
import static io.cellar.core.meta.MetaFixture.object;
import static io.cellar.core.meta.MetaFixture.ref;
import static io.cellar.core.meta.MetaFixture.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectCreated;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.StatusCode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** persist, if_persist, label and shallow_copy. */
class MetaTreeAttributesTest {
  private final MetaFixture f = new MetaFixture();

  private JsonNode get(long id) {
    return f.tree.get(new long[] {id}).get(ObjectIds.toText(id));
  }

  @Test
  void persistMarksTheObjectAndItsTransientMembersAndWritesThem() {
    long blob = f.blob(24);
    ObjectCreated t = f.tree.create(tensor(blob));
    ObjectCreated holder = f.tree.create(object("my::Holder", ref("t", t.id()), "'note':'hi'"));
    assertFalse(f.tree.isPersisted(holder.id()));
    f.tree.persist(holder.id());
    assertTrue(f.tree.isPersisted(holder.id()));
    assertTrue(f.tree.isPersisted(t.id()));
    assertFalse(get(holder.id()).get("transient").booleanValue());
    assertFalse(get(holder.id()).get("t").get("transient").booleanValue());

    Map<Long, ObjectNode> stored = f.shared().objects();
    assertEquals(2, stored.size());
    ObjectNode h = stored.get(holder.id());
    assertEquals("l" + ObjectIds.toText(t.id()) + ".vineyard::Tensor", h.get("t").textValue());
    assertEquals("vhi", h.get("note").textValue());
    assertEquals("vmy::Holder", h.get("typename").textValue());
    assertFalse(h.get("transient").booleanValue());
    assertFalse(h.has("id"));
    ObjectNode ts = stored.get(t.id());
    assertEquals("l" + ObjectIds.toText(blob) + ".vineyard::Blob@0", ts.get("buffer_").textValue());
    assertEquals(24, ts.get("nbytes").intValue());
    assertEquals(holder.id(), f.signatureObject(0, holder.signature()));
  }

  @Test
  void persistRejectsBlobsAndUnknownObjects() {
    long blob = f.blob(1);
    CellarException e = assertThrows(CellarException.class, () -> f.tree.persist(blob));
    assertEquals(StatusCode.ASSERTION_FAILED, e.status());
    CellarException e2 = assertThrows(CellarException.class, () -> f.tree.persist(77));
    assertEquals(StatusCode.META_TREE_SUBTREE_NOT_EXISTS, e2.status());
    assertFalse(f.tree.isPersisted(blob));
  }

  @Test
  void labelsMergeIntoAStringField() throws Exception {
    long id = f.tree.create(object("my::T")).id();
    f.tree.label(id, List.of("a", "b"), List.of("1", "2"));
    f.tree.label(id, List.of("b", "c"), List.of("3", "4"));
    JsonNode labels = get(id).get("__labels");
    assertTrue(labels.isTextual());
    assertEquals(json("{'a':'1','b':'3','c':'4'}"), JSON.readTree(labels.textValue()));
  }

  @Test
  void labelOfAPersistedObjectIsWrittenThrough() {
    long id = f.tree.create(object("my::T")).id();
    f.tree.persist(id);
    f.tree.label(id, List.of("k"), List.of("v"));
    assertEquals("v{\"k\":\"v\"}", f.shared().objects().get(id).get("__labels").textValue());
  }

  @Test
  void labelChecksItsArguments() {
    long id = f.tree.create(object("my::T")).id();
    CellarException e =
        assertThrows(CellarException.class, () -> f.tree.label(id, List.of("a"), List.of()));
    assertEquals(StatusCode.INVALID, e.status());
    CellarException e2 =
        assertThrows(CellarException.class, () -> f.tree.label(id + 1, List.of("a"), List.of("b")));
    assertEquals(StatusCode.OBJECT_NOT_EXISTS, e2.status());
    assertFalse(get(id).has("__labels"));
  }

  @Test
  void shallowCopySharesMembersAndAddsExtraFields() {
    long blob = f.blob(24);
    ObjectCreated t = f.tree.create(tensor(blob));
    long copy = f.tree.shallowCopy(t.id(), json("{'extra':'x','n':5}")).join();
    assertNotEquals(t.id(), copy);
    JsonNode got = get(copy);
    assertEquals(ObjectIds.toText(copy), got.get("id").textValue());
    assertEquals(ObjectIds.toText(blob), got.get("buffer_").get("id").textValue());
    assertEquals(t.signature(), got.get("signature").longValue());
    assertEquals("x", got.get("extra").textValue());
    assertEquals(5, got.get("n").intValue());
    assertEquals("[3]", got.get("shape_").textValue());
    assertFalse(get(t.id()).has("extra"));
    // the copy keeps the blob alive when the original goes
    DeleteResult r = f.tree.delete(new long[] {t.id()}, false, false).result();
    assertEquals(0, r.blobIds().length);
    assertArrayEquals(
        new long[] {blob}, f.tree.delete(new long[] {copy}, false, false).result().blobIds());
  }

  @Test
  void shallowCopyRejectsNestedExtraAndUnknownSources() {
    long id = f.tree.create(object("my::T")).id();
    CellarException e =
        assertThrows(CellarException.class, () -> f.tree.shallowCopy(id, json("{'bad':{'x':1}}")));
    assertEquals(StatusCode.ASSERTION_FAILED, e.status());
    CellarException e2 =
        assertThrows(CellarException.class, () -> f.tree.shallowCopy(id + 1, null));
    assertEquals(StatusCode.META_TREE_SUBTREE_NOT_EXISTS, e2.status());
    assertEquals(1, f.tree.objectCount());
  }

  @Test
  void shallowCopyOfAPersistedObjectIsPersistedAndUnnamed() {
    long id = f.tree.create(object("my::T")).id();
    f.tree.persist(id);
    f.tree.names().put("orig", id);
    long copy = f.tree.shallowCopy(id, null).join();
    assertTrue(f.tree.isPersisted(copy));
    assertTrue(f.shared().objects().containsKey(copy));
    assertFalse(get(copy).has("__name"));
    assertEquals("orig", get(id).get("__name").textValue());
  }

  @Test
  void objectsCreatedPersistedAreWrittenWithLinksToNewMembers() {
    ObjectCreated c =
        f.tree.create(
            object(
                "my::Outer",
                "'transient':false",
                "'inner':{'typename':'my::Inner<int>','instance_id':0,'transient':false}"));
    Map<Long, ObjectNode> stored = f.shared().objects();
    assertEquals(2, stored.size());
    String link = stored.get(c.id()).get("inner").textValue();
    assertTrue(link.startsWith("lo") && link.endsWith(".my::Inner"), link);
  }

  @Test
  void largeUnsignedSignaturesNeverComeBackNegative() {
    ObjectCreated c = f.tree.create(object("my::T", "'signature':18446744073709551614"));
    assertEquals(-2L, c.signature());
    assertEquals("18446744073709551614", get(c.id()).get("signature").toString());
  }
}
