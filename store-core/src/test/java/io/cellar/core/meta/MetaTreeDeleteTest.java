package io.cellar.core.meta;

import static io.cellar.core.meta.MetaFixture.blobRef;
import static io.cellar.core.meta.MetaFixture.object;
import static io.cellar.core.meta.MetaFixture.ref;
import static io.cellar.core.meta.MetaFixture.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.StatusCode;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MetaTreeDeleteTest {
  private final MetaFixture f = new MetaFixture();

  private long create(String typename, String... members) {
    return f.tree.create(object(typename, members)).id();
  }

  private static long[] ids(long... ids) {
    return ids;
  }

  private static long[] sortedUnsigned(long... ids) {
    return Arrays.stream(ids)
        .boxed()
        .sorted(Long::compareUnsigned)
        .mapToLong(Long::longValue)
        .toArray();
  }

  @Test
  void blobMembersGoWithTheirParentEvenWithoutDeep() {
    long blob = f.blob(24);
    long t = f.tree.create(tensor(blob)).id();
    DeleteResult r = f.tree.delete(ids(t), false, false).result();
    assertArrayEquals(ids(t), r.objectIds());
    assertArrayEquals(ids(blob), r.blobIds());
    assertFalse(f.tree.exists(t));
    assertEquals(0, f.tree.objectCount());
  }

  @Test
  void aBlobStillReferencedByAnotherObjectIsKept() {
    long blob = f.blob(8);
    long a = create("t::A", blobRef("b", blob));
    long b = create("t::B", blobRef("b", blob));
    DeleteResult first = f.tree.delete(ids(a), false, true).result();
    assertArrayEquals(ids(a), first.objectIds());
    assertArrayEquals(new long[0], first.blobIds());
    DeleteResult second = f.tree.delete(ids(b), false, false).result();
    assertArrayEquals(ids(b), second.objectIds());
    assertArrayEquals(ids(blob), second.blobIds());
  }

  @Test
  void withoutForceAMemberStays() {
    long inner = create("t::Inner");
    long outer = create("t::Outer", ref("m", inner));
    DeleteResult r = f.tree.delete(ids(inner), false, true).result();
    assertEquals(0, r.objectIds().length);
    assertTrue(f.tree.exists(inner));
    assertTrue(f.tree.exists(outer));
  }

  @Test
  void forceAlsoDeletesTheReferrersAndTheirBlobs() {
    long innerBlob = f.blob(8);
    long outerBlob = f.blob(8);
    long inner = create("t::Inner", blobRef("b", innerBlob));
    long outer = create("t::Outer", ref("m", inner), blobRef("b", outerBlob));
    long top = create("t::Top", ref("o", outer));
    long unrelated = create("t::Other");
    DeleteResult r = f.tree.delete(ids(inner), true, false).result();
    assertArrayEquals(new long[] {inner, outer, top}, r.objectIds());
    assertArrayEquals(sortedUnsigned(innerBlob, outerBlob), r.blobIds());
    assertTrue(f.tree.exists(unrelated));
    assertEquals(1, f.tree.objectCount());
  }

  @Test
  void withoutDeepMemberObjectsSurviveTheirParent() {
    long innerBlob = f.blob(8);
    long outerBlob = f.blob(8);
    long inner = create("t::Inner", blobRef("b", innerBlob));
    long outer = create("t::Outer", ref("m", inner), blobRef("b", outerBlob));
    DeleteResult r = f.tree.delete(ids(outer), false, false).result();
    assertArrayEquals(ids(outer), r.objectIds());
    assertArrayEquals(ids(outerBlob), r.blobIds());
    assertTrue(f.tree.exists(inner));
    // the survivor is no longer a member: it can now be deleted without force
    DeleteResult again = f.tree.delete(ids(inner), false, false).result();
    assertArrayEquals(ids(inner), again.objectIds());
    assertArrayEquals(ids(innerBlob), again.blobIds());
  }

  @Test
  void deepDeletesMembersRecursively() {
    long leafBlob = f.blob(8);
    long leaf = create("t::Leaf", blobRef("b", leafBlob));
    long mid = create("t::Mid", ref("l", leaf));
    long top = create("t::Top", ref("m", mid));
    DeleteResult r = f.tree.delete(ids(top), false, true).result();
    assertArrayEquals(new long[] {leaf, mid, top}, r.objectIds());
    assertArrayEquals(ids(leafBlob), r.blobIds());
    assertEquals(0, f.tree.objectCount());
  }

  @Test
  void deepKeepsMembersThatAnotherObjectStillRefersTo() {
    long shared = create("t::Shared");
    long a = create("t::A", ref("s", shared));
    long b = create("t::B", ref("s", shared));
    DeleteResult r = f.tree.delete(ids(a), false, true).result();
    assertArrayEquals(ids(a), r.objectIds());
    assertTrue(f.tree.exists(shared));
    assertTrue(f.tree.exists(b));
    DeleteResult r2 = f.tree.delete(ids(b), false, true).result();
    assertArrayEquals(new long[] {shared, b}, r2.objectIds());
  }

  @Test
  void deletingAParentAndItsMemberTogetherDeletesBoth() {
    long inner = create("t::Inner");
    long outer = create("t::Outer", ref("m", inner));
    DeleteResult r = f.tree.delete(ids(inner, outer), false, false).result();
    assertArrayEquals(new long[] {inner, outer}, r.objectIds());
    assertEquals(0, f.tree.objectCount());
  }

  @Test
  void aBareBlobIdThatIsAMemberNeedsForce() {
    long blob = f.blob(24);
    long t = f.tree.create(tensor(blob)).id();
    DeleteResult kept = f.tree.delete(ids(blob), false, false).result();
    assertEquals(0, kept.blobIds().length);
    assertTrue(f.tree.exists(t));
    DeleteResult forced = f.tree.delete(ids(blob), true, false).result();
    assertArrayEquals(ids(blob), forced.blobIds());
    assertArrayEquals(ids(t), forced.objectIds());
  }

  @Test
  void aFreeBlobIdIsDeletedWithoutForce() {
    long blob = f.blob(24);
    DeleteResult r = f.tree.delete(ids(blob), false, false).result();
    assertArrayEquals(ids(blob), r.blobIds());
  }

  @Test
  void missingIdsAreNotAnError() {
    DeleteResult r = f.tree.delete(ids(12345, ObjectIds.EMPTY_BLOB), true, true).result();
    assertEquals(0, r.objectIds().length);
    assertEquals(0, r.blobIds().length);
  }

  @Test
  void deletingAnObjectDropsItsNamesAndPersistedCopy() {
    long t = f.tree.create(tensor(f.blob(24))).id();
    f.tree.persist(t);
    f.tree.names().put("my-tensor", t);
    f.tree.names().put("alias", t);
    assertEquals(1, f.shared().objects().size());
    f.tree.delete(ids(t), false, false).result();
    CellarException e = assertThrows(CellarException.class, () -> f.tree.names().get("my-tensor"));
    assertEquals(StatusCode.OBJECT_NOT_EXISTS, e.status());
    assertTrue(f.tree.names().list("*", false, 10).isEmpty());
    assertTrue(f.shared().names().isEmpty());
    assertTrue(f.shared().objects().isEmpty());
  }

  @Test
  void clearReturnsEverythingToFree() {
    long memberBlob = f.blob(24);
    long looseBlob = f.blob(3);
    long t = f.tree.create(tensor(memberBlob)).id();
    long other = create("t::Other");
    f.tree.persist(other);
    f.tree.names().put("n", other);
    DeleteResult r = f.tree.clear().result();
    assertArrayEquals(new long[] {Math.min(t, other), Math.max(t, other)}, r.objectIds());
    assertArrayEquals(sortedUnsigned(memberBlob, looseBlob), r.blobIds());
    assertEquals(0, f.tree.objectCount());
    assertTrue(f.tree.names().list("*", false, 10).isEmpty());
    assertTrue(f.shared().objects().isEmpty());
    // the tree is usable afterwards
    long again = f.tree.create(tensor(memberBlob)).id();
    assertArrayEquals(ids(memberBlob), f.tree.delete(ids(again), false, false).result().blobIds());
  }
}
