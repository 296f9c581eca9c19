package io.cellar.core.meta;

import static io.cellar.core.meta.MetaFixture.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.StatusCode;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetaTreeListTest {
  private final MetaFixture f = new MetaFixture();
  private long doubles;
  private long ints;
  private long frame;
  private long blobA;
  private long blobB;

  @BeforeEach
  void populate() {
    doubles = f.tree.create(object("vineyard::Tensor<double>")).id();
    ints = f.tree.create(object("vineyard::Tensor<int>")).id();
    frame = f.tree.create(object("vineyard::DataFrame")).id();
    blobA = f.blob(10);
    blobB = f.blob(20);
  }

  private static Set<Long> ids(ObjectNode content) {
    Set<Long> out = new TreeSet<>();
    content.fieldNames().forEachRemaining(k -> out.add(ObjectIds.parseText(k)));
    return out;
  }

  @Test
  void globMatchesTypenames() {
    assertEquals(Set.of(doubles, ints), ids(f.tree.list("vineyard::Tensor<*>", false, 10)));
    assertEquals(Set.of(doubles), ids(f.tree.list("vineyard::Tensor<[d]*>", false, 10)));
    assertEquals(Set.of(ints), ids(f.tree.list("vineyard::Tensor<[!d]*>", false, 10)));
    assertEquals(Set.of(frame), ids(f.tree.list("?ineyard::DataFrame", false, 10)));
    assertEquals(Set.of(), ids(f.tree.list("vineyard::Tensor", false, 10)));
  }

  @Test
  void listedObjectsAreFullTrees() {
    JsonNode got = f.tree.list("vineyard::DataFrame", false, 10).get(ObjectIds.toText(frame));
    assertEquals("vineyard::DataFrame", got.get("typename").textValue());
    assertEquals(ObjectIds.toText(frame), got.get("id").textValue());
    assertTrue(got.has("signature"));
  }

  @Test
  void regexMustMatchTheWholeTypename() {
    assertEquals(
        Set.of(doubles, ints), ids(f.tree.list("vineyard::Tensor<(int|double)>", true, 10)));
    assertEquals(Set.of(), ids(f.tree.list("Tensor", true, 10)));
    assertEquals(Set.of(doubles, ints), ids(f.tree.list(".*Tensor.*", true, 10)));
  }

  @Test
  void sealedBlobsAreListedWhenThePatternMatchesBlob() {
    ObjectNode all = f.tree.list("*", false, 100);
    assertEquals(Set.of(doubles, ints, frame, blobA, blobB), ids(all));
    assertEquals(20, all.get(ObjectIds.toText(blobB)).get("length").longValue());
    assertEquals(Set.of(blobA, blobB), ids(f.tree.list("vineyard::Blob", false, 100)));
    assertEquals(Set.of(blobA, blobB), ids(f.tree.list("vineyard::[B]lob", false, 100)));
  }

  @Test
  void blobsAreMatchedByThePatternReadAsAGlobEvenInRegexMode() {
    // the reference's quirk: a regex that matches "vineyard::Blob" lists no blobs...
    assertEquals(Set.of(), ids(f.tree.list("vineyard::B.*", true, 100)));
    assertEquals(Set.of(doubles, ints, frame), ids(f.tree.list(".*", true, 100)));
    // ...while one that reads as a matching glob does
    assertEquals(Set.of(blobA, blobB), ids(f.tree.list("vineyard::Blob", true, 100)));
  }

  @Test
  void limitBoundsTheResult() {
    assertEquals(2, f.tree.list("*", false, 2).size());
    assertEquals(4, f.tree.list("*", false, 4).size());
    assertEquals(0, f.tree.list("*", false, 0).size());
  }

  @Test
  void badRegexIsInvalidWithAClearMessage() {
    CellarException e = assertThrows(CellarException.class, () -> f.tree.list("[", true, 10));
    assertEquals(StatusCode.INVALID, e.status());
    assertTrue(e.getMessage().contains("invalid regular expression '['"), e.getMessage());
  }
}
