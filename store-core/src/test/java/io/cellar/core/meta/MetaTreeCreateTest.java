package io.cellar.core.meta;

import static io.cellar.core.meta.MetaFixture.blobRef;
import static io.cellar.core.meta.MetaFixture.json;
import static io.cellar.core.meta.MetaFixture.object;
import static io.cellar.core.meta.MetaFixture.ref;
import static io.cellar.core.meta.MetaFixture.tensor;
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
import io.cellar.protocol.UnsignedJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class MetaTreeCreateTest {
  private final MetaFixture f = new MetaFixture();

  @Test
  void tensorComesBackInThePythonClientsShape() {
    long blob = f.blob(24);
    ObjectNode sent = tensor(blob);
    long before = System.currentTimeMillis();
    ObjectCreated created = f.tree.create(sent);
    long after = System.currentTimeMillis();

    assertFalse(ObjectIds.isBlob(created.id()));
    assertEquals(0, created.instanceId());
    ObjectNode content = f.tree.get(new long[] {created.id()});
    assertEquals(Set.of(ObjectIds.toText(created.id())), fieldNames(content));
    JsonNode got = content.get(ObjectIds.toText(created.id()));

    Set<String> expectedKeys = fieldNames(sent);
    expectedKeys.addAll(List.of("id", "signature", "__timestamp"));
    assertEquals(expectedKeys, fieldNames(got));
    assertEquals(new ArrayList<>(new TreeSet<>(expectedKeys)), new ArrayList<>(orderedNames(got)));
    for (String key : List.of("typename", "global", "shape_", "partition_index_", "nbytes")) {
      assertEquals(sent.get(key), got.get(key), key);
    }
    assertEquals("\"C\"", got.get("order_").textValue());
    assertEquals("<f8", got.get("value_type_meta_").textValue());
    assertEquals(ObjectIds.toText(created.id()), got.get("id").textValue());
    assertEquals(created.signature(), UnsignedJson.field(got, "signature"));
    assertEquals(0, got.get("instance_id").longValue());
    assertTrue(got.get("transient").booleanValue());
    long ts = got.get("__timestamp").longValue();
    assertTrue(ts >= before && ts <= after);
    ObjectNode stub =
        json(
            "{'id':'"
                + ObjectIds.toText(blob)
                + "','instance_id':0,'length':0,'nbytes':0,'transient':true,"
                + "'typename':'vineyard::Blob'}");
    assertEquals(stub.toString(), got.get("buffer_").toString());
    assertEquals(1, f.tree.objectCount());
  }

  @Test
  void givenSignatureIsKeptAndIdIsNew() {
    ObjectNode sent = object("my::Type", "'signature':12345", "'id':'o0000000000000007'");
    ObjectCreated created = f.tree.create(sent);
    assertEquals(12345, created.signature());
    assertNotEquals(7, created.id());
    JsonNode got = f.tree.get(new long[] {created.id()}).get(ObjectIds.toText(created.id()));
    assertEquals(12345, got.get("signature").longValue());
  }

  @Test
  void signaturesAreFreshPerObject() {
    ObjectCreated a = f.tree.create(object("my::Type"));
    ObjectCreated b = f.tree.create(object("my::Type"));
    assertNotEquals(a.signature(), b.signature());
    assertNotEquals(a.id(), b.id());
  }

  @Test
  void transientIsKeptAsGiven() {
    ObjectCreated c = f.tree.create(object("my::Type", "'transient':false"));
    assertTrue(f.tree.isPersisted(c.id()));
    ObjectCreated d = f.tree.create(object("my::Type"));
    assertFalse(f.tree.isPersisted(d.id()));
  }

  @Test
  void typenameIsRequired() {
    CellarException e =
        assertThrows(CellarException.class, () -> f.tree.create(json("{'instance_id':0}")));
    assertEquals(StatusCode.META_TREE_INVALID, e.status());
    assertEquals(0, f.tree.objectCount());
  }

  @Test
  void instanceIdIsRequired() {
    CellarException e =
        assertThrows(CellarException.class, () -> f.tree.create(json("{'typename':'a::B'}")));
    assertEquals(StatusCode.ASSERTION_FAILED, e.status());
  }

  @Test
  void blobTypenameIsRejected() {
    CellarException e =
        assertThrows(CellarException.class, () -> f.tree.create(object("vineyard::Blob")));
    assertEquals(StatusCode.ASSERTION_FAILED, e.status());
    assertEquals(0, f.tree.objectCount());
  }

  @Test
  void placeholderResolvesToTheExistingObject() {
    long blob = f.blob(24);
    ObjectCreated t = f.tree.create(tensor(blob));
    ObjectCreated holder = f.tree.create(object("my::Holder", ref("inner", t.id())));
    JsonNode got = f.tree.get(new long[] {holder.id()}).get(ObjectIds.toText(holder.id()));
    JsonNode inner = got.get("inner");
    assertEquals(ObjectIds.toText(t.id()), inner.get("id").textValue());
    assertEquals("vineyard::Tensor<double>", inner.get("typename").textValue());
    assertEquals("[3]", inner.get("shape_").textValue());
    assertEquals(ObjectIds.toText(blob), inner.get("buffer_").get("id").textValue());
    assertEquals(0, inner.get("buffer_").get("length").longValue());
  }

  @Test
  void placeholderToAMissingObjectFailsAndCreatesNothing() {
    CellarException e =
        assertThrows(
            CellarException.class,
            () ->
                f.tree.create(
                    object(
                        "my::Holder", "'n':{'typename':'my::New','instance_id':0}", ref("x", 42))));
    assertEquals(StatusCode.OBJECT_NOT_EXISTS, e.status());
    assertEquals(0, f.tree.objectCount());
  }

  @Test
  void blobPlaceholderIsInvalid() {
    long blob = f.blob(8);
    CellarException e =
        assertThrows(CellarException.class, () -> f.tree.create(object("my::H", ref("b", blob))));
    assertEquals(StatusCode.META_TREE_INVALID, e.status());
  }

  @Test
  void newNestedMembersAreCreatedWithTheirOwnIds() {
    long blob = f.blob(8);
    ObjectCreated top =
        f.tree.create(
            object(
                "my::Outer",
                "'inner':{'typename':'my::Inner','instance_id':0,'k':1,"
                    + blobRef("b", blob)
                    + "}"));
    assertEquals(2, f.tree.objectCount());
    JsonNode inner = f.tree.get(new long[] {top.id()}).get(ObjectIds.toText(top.id())).get("inner");
    long innerId = ObjectIds.parseText(inner.get("id").textValue());
    assertNotEquals(top.id(), innerId);
    assertTrue(f.tree.exists(innerId));
    assertEquals(1, inner.get("k").intValue());
    assertTrue(inner.has("signature"));
    assertTrue(inner.has("__timestamp"));
    assertEquals(ObjectIds.toText(blob), inner.get("b").get("id").textValue());
  }

  @Test
  void localObjectCannotReferToABlobOfAnotherInstance() {
    long blob = f.blob(24);
    CellarException e = assertThrows(CellarException.class, () -> f.tree.create(tensor(blob, 1)));
    assertEquals(StatusCode.GLOBAL_OBJECT_INVALID, e.status());
    assertEquals("Local object cannot refer remote objects", e.getMessage());
  }

  @Test
  void localObjectCannotReferToAnObjectOfAnotherInstance() {
    ObjectCreated remote = f.tree.create(json("{'typename':'my::R','instance_id':1}"));
    assertEquals(1, remote.instanceId());
    CellarException e =
        assertThrows(
            CellarException.class, () -> f.tree.create(object("my::L", ref("r", remote.id()))));
    assertEquals(StatusCode.GLOBAL_OBJECT_INVALID, e.status());
  }

  @Test
  void globalObjectMayMixInstancesAndGetsTheUnspecifiedInstance() {
    ObjectCreated local = f.tree.create(object("my::Part"));
    ObjectCreated remote = f.tree.create(json("{'typename':'my::Part','instance_id':1}"));
    ObjectCreated global =
        f.tree.create(
            object("my::Global", "'global':true", ref("p0", local.id()), ref("p1", remote.id())));
    assertEquals(ObjectIds.UNSPECIFIED_INSTANCE, global.instanceId());
    JsonNode got = f.tree.get(new long[] {global.id()}).get(ObjectIds.toText(global.id()));
    assertEquals("18446744073709551615", got.get("instance_id").toString());
    assertEquals(1, got.get("p1").get("instance_id").longValue());
  }

  @Test
  void globalObjectWithMembersOfItsOwnInstanceKeepsIt() {
    ObjectCreated local = f.tree.create(object("my::Part"));
    ObjectCreated global =
        f.tree.create(object("my::Global", "'global':true", ref("p0", local.id())));
    assertEquals(0, global.instanceId());
  }

  @Test
  void globalObjectCannotNestGlobalObjects() {
    ObjectCreated inner = f.tree.create(object("my::G", "'global':true"));
    CellarException e =
        assertThrows(
            CellarException.class,
            () -> f.tree.create(object("my::G", "'global':true", ref("g", inner.id()))));
    assertEquals(StatusCode.GLOBAL_OBJECT_INVALID, e.status());
  }

  @Test
  void createManyIsAllOrNone() {
    CellarException e =
        assertThrows(
            CellarException.class,
            () -> f.tree.createMany(List.of(object("a::A"), json("{'instance_id':0}"))));
    assertEquals(StatusCode.META_TREE_INVALID, e.status());
    assertEquals(0, f.tree.objectCount());
    List<ObjectCreated> two = f.tree.createMany(List.of(object("a::A"), object("a::B")));
    assertEquals(2, two.size());
    assertEquals(2, f.tree.get(new long[] {two.get(0).id(), two.get(1).id()}).size());
  }

  @Test
  void bareBlobIdsAreSynthesizedFromTheCatalog() {
    long blob = f.blob(24);
    long missingBlob = f.ids.nextBlobId();
    ObjectNode content = f.tree.get(new long[] {blob, missingBlob, 99, ObjectIds.EMPTY_BLOB});
    assertEquals(
        Set.of(ObjectIds.toText(blob), ObjectIds.toText(ObjectIds.EMPTY_BLOB)),
        fieldNames(content));
    assertEquals(
        json("{'id':'"
                + ObjectIds.toText(blob)
                + "','instance_id':0,'length':24,'nbytes':24,'transient':true,"
                + "'typename':'vineyard::Blob'}")
            .toString(),
        content.get(ObjectIds.toText(blob)).toString());
    assertEquals(0, content.get(ObjectIds.toText(ObjectIds.EMPTY_BLOB)).get("length").longValue());
    assertFalse(content.toString().contains("-"), content.toString());
  }

  @Test
  void existsChecksObjectsInTheTreeAndBlobsInTheCatalog() {
    long blob = f.blob(1);
    ObjectCreated c = f.tree.create(object("a::A"));
    assertTrue(f.tree.exists(c.id()));
    assertTrue(f.tree.exists(blob));
    assertTrue(f.tree.exists(ObjectIds.EMPTY_BLOB));
    assertFalse(f.tree.exists(c.id() + 1));
    assertFalse(f.tree.exists(f.ids.nextBlobId()));
  }

  static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  static List<String> orderedNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
