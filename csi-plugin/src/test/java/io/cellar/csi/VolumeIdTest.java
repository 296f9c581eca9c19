package io.cellar.csi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VolumeIdTest {

  private static final Map<String, String> PARAMS =
      Map.of(VolumeId.NAMESPACE_KEY, "vineyard-system", VolumeId.NAME_KEY, "vineyardd-sample");

  @Test
  void roundTripsThroughTheString() {
    VolumeId id = VolumeId.forRequest("pvc-1234", PARAMS);
    Optional<VolumeId> decoded = VolumeId.decode(id.encode());
    assertEquals(Optional.of(id), decoded);
    assertEquals("vineyard-system", decoded.get().namespace());
    assertEquals("vineyardd-sample", decoded.get().name());
    assertFalse(decoded.get().deleteObjects());
    assertTrue(id.encode().startsWith("cellar1.k."), id.encode());
  }

  @Test
  void sameRequestNameGivesTheSameIdAndOtherNamesOtherIds() {
    assertEquals(VolumeId.forRequest("pvc-a", PARAMS), VolumeId.forRequest("pvc-a", PARAMS));
    assertNotEquals(
        VolumeId.forRequest("pvc-a", PARAMS).encode(),
        VolumeId.forRequest("pvc-b", PARAMS).encode());
  }

  @Test
  void clusterNamesWithDotsSurviveTheRoundTrip() {
    Map<String, String> params = Map.of(VolumeId.NAMESPACE_KEY, "ns", VolumeId.NAME_KEY, "a.b.c");
    VolumeId id = VolumeId.forRequest("x", params);
    assertEquals("a.b.c", VolumeId.decode(id.encode()).orElseThrow().name());
  }

  @Test
  void carriesTheDeleteObjectsFlagAndTheObjectPrefix() {
    Map<String, String> params =
        Map.of(
            VolumeId.NAMESPACE_KEY, "ns",
            VolumeId.NAME_KEY, "vd.x",
            VolumeId.DELETE_OBJECTS_KEY, "true",
            VolumeId.OBJECT_PREFIX_KEY, "/vineyard/data.v2/ü*?[x]\\");
    VolumeId id = VolumeId.forRequest("x", params);
    assertTrue(id.deleteObjects());
    assertTrue(id.encode().startsWith("cellar1.d."), id.encode());
    VolumeId decoded = VolumeId.decode(id.encode()).orElseThrow();
    assertEquals(id, decoded);
    assertEquals(Optional.of("/vineyard/data.v2/ü*?[x]\\"), decoded.objectPrefix());
    assertEquals("vd.x", decoded.name());
    assertNotEquals(VolumeId.forRequest("x", PARAMS).encode(), id.encode());
    // the prefix alone does not make a delete-objects volume
    Map<String, String> keep = new java.util.HashMap<>(params);
    keep.remove(VolumeId.DELETE_OBJECTS_KEY);
    assertFalse(VolumeId.forRequest("x", keep).deleteObjects());
  }

  @Test
  void deleteObjectsNeedsAnAbsoluteObjectPrefixThatFits() {
    Map<String, String> params = new java.util.HashMap<>(PARAMS);
    params.put(VolumeId.DELETE_OBJECTS_KEY, "true");
    IllegalArgumentException missing =
        assertThrows(IllegalArgumentException.class, () -> VolumeId.forRequest("x", params));
    assertTrue(missing.getMessage().contains(VolumeId.OBJECT_PREFIX_KEY), missing.getMessage());
    params.put(VolumeId.OBJECT_PREFIX_KEY, "vineyard/data/");
    assertThrows(IllegalArgumentException.class, () -> VolumeId.forRequest("x", params));
    // 128 bytes: cellar1.d. + 20 hex + dots + 15 + 16 cluster characters leave 64 base64 chars
    params.put(VolumeId.OBJECT_PREFIX_KEY, "/" + "p".repeat(47));
    assertEquals(128, VolumeId.forRequest("x", params).encode().length());
    params.put(VolumeId.OBJECT_PREFIX_KEY, "/" + "p".repeat(48));
    IllegalArgumentException tooLong =
        assertThrows(IllegalArgumentException.class, () -> VolumeId.forRequest("x", params));
    assertTrue(tooLong.getMessage().contains("too long"), tooLong.getMessage());
  }

  @Test
  void rejectsMissingOrMalformedParameters() {
    assertThrows(
        IllegalArgumentException.class,
        () -> VolumeId.forRequest("x", Map.of(VolumeId.NAME_KEY, "vd")));
    assertThrows(
        IllegalArgumentException.class,
        () -> VolumeId.forRequest("x", Map.of(VolumeId.NAMESPACE_KEY, "ns")));
    for (String bad : new String[] {"..", "a/b", "../etc", "A", "-a", "a.b", ""}) {
      Map<String, String> params = Map.of(VolumeId.NAMESPACE_KEY, bad, VolumeId.NAME_KEY, "vd");
      assertThrows(IllegalArgumentException.class, () -> VolumeId.forRequest("x", params), bad);
    }
    for (String bad : new String[] {"..", "a/b", "../../x", ".hidden", "x..y"}) {
      Map<String, String> params = Map.of(VolumeId.NAMESPACE_KEY, "ns", VolumeId.NAME_KEY, bad);
      assertThrows(IllegalArgumentException.class, () -> VolumeId.forRequest("x", params), bad);
    }
    Map<String, String> badFlag =
        Map.of(
            VolumeId.NAMESPACE_KEY,
            "ns",
            VolumeId.NAME_KEY,
            "vd",
            VolumeId.DELETE_OBJECTS_KEY,
            "1");
    assertThrows(IllegalArgumentException.class, () -> VolumeId.forRequest("x", badFlag));
  }

  @Test
  void rejectsIdsLongerThanTheSpecAllows() {
    Map<String, String> params =
        Map.of(VolumeId.NAMESPACE_KEY, "n".repeat(63), VolumeId.NAME_KEY, "v".repeat(60));
    assertThrows(IllegalArgumentException.class, () -> VolumeId.forRequest("x", params));
  }

  @Test
  void foreignOrTamperedIdsDoNotDecode() {
    String good = VolumeId.forRequest("x", PARAMS).encode();
    assertEquals(Optional.empty(), VolumeId.decode(""));
    assertEquals(Optional.empty(), VolumeId.decode("fake-vol-id-1234"));
    assertEquals(Optional.empty(), VolumeId.decode(good.replace("cellar1.", "cellar2.")));
    assertEquals(Optional.empty(), VolumeId.decode(good.replace(".k.", ".x.")));
    assertEquals(
        Optional.empty(),
        VolumeId.decode("cellar1.k.0123456789abcdef0123.vineyard-system.../../etc"));
    assertEquals(Optional.empty(), VolumeId.decode("cellar1.k.0123456789abcdef0123.a/b.vineyardd"));
    assertEquals(Optional.empty(), VolumeId.decode("cellar1.k.short.ns.vd"));
    // delete-objects ids: the prefix must be base64url of an absolute UTF-8 path
    String prefix = "L3ZpbmV5YXJkLw"; // "/vineyard/"
    assertEquals(
        Optional.of("/vineyard/"),
        VolumeId.decode("cellar1.d.0123456789abcdef0123." + prefix + ".ns.vd")
            .orElseThrow()
            .objectPrefix());
    assertEquals(Optional.empty(), VolumeId.decode("cellar1.d.0123456789abcdef0123.ns.vd"));
    assertEquals(Optional.empty(), VolumeId.decode("cellar1.d.0123456789abcdef0123.a+b.ns.vd"));
    assertEquals(Optional.empty(), VolumeId.decode("cellar1.d.0123456789abcdef0123.dmluZQ.ns.vd"));
    assertEquals(Optional.empty(), VolumeId.decode("cellar1.d.0123456789abcdef0123._w.ns.vd"));
  }
}
