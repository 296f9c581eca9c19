package io.cellar.core.meta;

import static io.cellar.core.meta.MetaFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.UnsignedJson;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reference's persisted encoding, written and read back. */
class PersistedFormTest {
  private static final long BLOB = ObjectIds.BLOB_BIT | 0x1234;

  private final Map<Long, StoredObject> objects = new HashMap<>();
  private final Map<Long, Long> signatures = new HashMap<>();
  private final PersistedForm.Links links =
      new PersistedForm.Links() {
        @Override
        public StoredObject object(long id) {
          return objects.get(id);
        }

        @Override
        public Long signatureObject(long signature) {
          return signatures.get(signature);
        }
      };

  private static StoredObject stored(long id, String typename, long instance) {
    ObjectNode attributes = json("{'typename':'" + typename + "','nbytes':24,'shape_':'[3]'}");
    UnsignedJson.put(attributes, "instance_id", instance);
    UnsignedJson.put(attributes, "signature", id + 1000);
    attributes.put("transient", false);
    return new StoredObject(id, attributes, new LinkedHashMap<>());
  }

  @Test
  void encodingAndDecodingGiveTheSameObjectBack() throws Exception {
    StoredObject member = stored(7, "vineyard::Tensor<double>", 3);
    objects.put(7L, member);
    StoredObject holder = stored(8, "vineyard::Pair", 3);
    holder.members.put("first", new MemberLink(7, 3));
    holder.members.put("buffer_", new MemberLink(BLOB, 3));

    ObjectNode encoded = PersistedForm.encode(holder, objects::get);
    assertEquals("vvineyard::Pair", encoded.get("typename").textValue());
    assertEquals("v[3]", encoded.get("shape_").textValue());
    assertEquals("l" + ObjectIds.toText(7) + ".vineyard::Tensor", encoded.get("first").textValue());
    assertEquals(
        "l" + ObjectIds.toText(BLOB) + ".vineyard::Blob@3", encoded.get("buffer_").textValue());
    assertFalse(encoded.has("id"));

    StoredObject back = PersistedForm.decode(8, encoded, links);
    assertEquals(holder.attributes, back.attributes);
    assertEquals(holder.members, back.members);
    assertFalse(back.isTransient());
  }

  @Test
  void fieldsAreWrittenInTheReferencesSortedOrderWithoutTheName() {
    StoredObject o = stored(8, "vineyard::Pair", 3);
    o.attributes.set("__name", TextNode.valueOf("named"));
    o.attributes.set("Zeta", IntNode.valueOf(1));
    o.members.put("buffer_", new MemberLink(BLOB, 3));
    o.members.put("__values_-value-0", new MemberLink(BLOB, 3));
    ObjectNode encoded = PersistedForm.encode(o, objects::get);
    java.util.List<String> names = new java.util.ArrayList<>();
    encoded.fieldNames().forEachRemaining(names::add);
    assertEquals(
        java.util.List.of(
            "Zeta",
            "__values_-value-0",
            "buffer_",
            "instance_id",
            "nbytes",
            "shape_",
            "signature",
            "transient",
            "typename"),
        names);
  }

  @Test
  void aHugeInstanceIdAndSignatureSurviveTheRoundTrip() throws Exception {
    StoredObject global = stored(9, "vineyard::Global", ObjectIds.UNSPECIFIED_INSTANCE);
    global.attributes.set("signature", UnsignedJson.node(-2L));
    JsonNode wire =
        MetaFixture.JSON.readTree(PersistedForm.encode(global, objects::get).toString());
    StoredObject back = PersistedForm.decode(9, wire, links);
    assertEquals(ObjectIds.UNSPECIFIED_INSTANCE, back.instanceId());
    assertEquals(-2L, back.signature());
  }

  @Test
  void aSignatureLinkResolvesThroughTheSignatures() throws Exception {
    objects.put(7L, stored(7, "t::Part", 1));
    signatures.put(0x55L, 7L);
    ObjectNode encoded =
        json("{'typename':'vt::G','instance_id':1,'signature':2,'p':'" + "ls0000000000000055.t'}");
    StoredObject back = PersistedForm.decode(10, encoded, links);
    assertEquals(new MemberLink(7, 1), back.members.get("p"));
  }

  @Test
  void malformedObjectsAreRefusedWithAReason() {
    String ok = "'typename':'vt::T','instance_id':0,'signature':1";
    assertMalformed("not a JSON object", TextNode.valueOf("garbage"), false);
    assertMalformed("no typename", json("{'instance_id':0,'signature':1}"), false);
    assertMalformed("no numeric instance_id", json("{'typename':'vt::T','signature':1}"), false);
    assertMalformed("no numeric signature", json("{'typename':'vt::T','instance_id':0}"), false);
    assertMalformed(
        "no numeric instance_id",
        json("{'typename':'vt::T','instance_id':'v0','signature':1}"),
        false);
    assertMalformed("neither a value nor a link", json("{" + ok + ",'x':'plain'}"), false);
    assertMalformed("nested object", json("{" + ok + ",'x':{'y':1}}"), false);
    assertMalformed("not a link", json("{" + ok + ",'x':'lnodot'}"), false);
    assertMalformed("links to no id", json("{" + ok + ",'x':'lozz.t'}"), false);
    assertMalformed(
        "has no instance",
        json("{" + ok + ",'b':'l" + ObjectIds.toText(BLOB) + ".vineyard::Blob'}"),
        false);
    assertMalformed(
        "a blob has no metadata",
        json("{'typename':'vvineyard::Blob','instance_id':0,'signature':1}"),
        false);
    assertMalformed(
        "does not exist", json("{" + ok + ",'m':'l" + ObjectIds.toText(77) + ".t::T'}"), true);
    assertMalformed("unknown signature", json("{" + ok + ",'m':'ls0000000000000077.t'}"), true);
    PersistedForm.Malformed blobId =
        assertThrows(
            PersistedForm.Malformed.class,
            () -> PersistedForm.decode(BLOB, json("{" + ok + "}"), links));
    assertTrue(blobId.getMessage().contains("blob id"));
  }

  private void assertMalformed(String reason, JsonNode encoded, boolean dangling) {
    PersistedForm.Malformed e =
        assertThrows(PersistedForm.Malformed.class, () -> PersistedForm.decode(11, encoded, links));
    assertTrue(e.getMessage().contains(reason), e.getMessage() + " does not say " + reason);
    assertEquals(dangling, e.danglingLink, e.getMessage());
  }
}
