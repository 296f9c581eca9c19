package io.cellar.core.id;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.UnsignedJson;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class IdGeneratorTest {
  private static final long T = 1_764_340_000_123L;

  @Test
  void objectIdsCarryMillisInstanceAndSequence() {
    IdGenerator gen = new IdGenerator(5, () -> T);
    long a = gen.nextObjectId();
    long b = gen.nextObjectId();
    assertEquals(T & IdGenerator.MILLIS_MASK, IdGenerator.millisOf(a));
    assertEquals(5, IdGenerator.instanceOf(a));
    assertEquals(0, IdGenerator.sequenceOf(a));
    assertEquals(1, IdGenerator.sequenceOf(b));
    assertEquals((T << 22) | (5L << 12), a);
    assertFalse(ObjectIds.isBlob(a));
  }

  @Test
  void instanceIsMaskedToTenBits() {
    IdGenerator gen = new IdGenerator(0x400 | 7, () -> T);
    assertEquals(7, IdGenerator.instanceOf(gen.nextObjectId()));
  }

  @Test
  void signaturesHaveTheObjectLayout() {
    IdGenerator gen = new IdGenerator(3, () -> T);
    long s = gen.nextSignature();
    assertFalse(ObjectIds.isBlob(s));
    assertEquals(3, IdGenerator.instanceOf(s));
  }

  @Test
  void blobIdsHaveBit63AndInstanceZero() {
    IdGenerator gen = new IdGenerator(9, () -> T);
    long blob = gen.nextBlobId();
    assertTrue(ObjectIds.isBlob(blob));
    assertEquals(0, IdGenerator.instanceOf(blob));
    assertEquals(T & IdGenerator.MILLIS_MASK, IdGenerator.millisOf(blob));
    assertNotEquals(ObjectIds.EMPTY_BLOB, blob);
  }

  @Test
  void bit63StaysClearEvenWhenTheMillisFieldIsFull() {
    IdGenerator gen = new IdGenerator(1023, () -> IdGenerator.MILLIS_MASK);
    long id = gen.nextObjectId();
    assertFalse(ObjectIds.isBlob(id));
    assertEquals(IdGenerator.MILLIS_MASK, IdGenerator.millisOf(id));
  }

  @Test
  void sequenceWrapMovesToTheNextMillisecondInsteadOfRepeating() {
    IdGenerator gen = new IdGenerator(0, () -> T);
    Set<Long> seen = new HashSet<>();
    long last = 0;
    for (int i = 0; i < 4096 + 3; i++) {
      last = gen.nextObjectId();
      assertTrue(seen.add(last), "repeated id at " + i);
    }
    assertEquals((T + 1) & IdGenerator.MILLIS_MASK, IdGenerator.millisOf(last));
    assertEquals(2, IdGenerator.sequenceOf(last));
  }

  @Test
  void aClockGoingBackwardsNeverRepeatsIds() {
    long[] now = {T};
    IdGenerator gen = new IdGenerator(0, () -> now[0]);
    long a = gen.nextObjectId();
    now[0] = T - 10;
    long b = gen.nextObjectId();
    assertTrue(b > a);
  }

  @Test
  void idsAreUniqueAcrossThreads() throws Exception {
    IdGenerator gen = new IdGenerator(2);
    int threads = 8;
    int perThread = 20_000;
    List<Callable<long[]>> tasks = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      final boolean blobs = t % 2 == 0;
      tasks.add(
          () -> {
            long[] out = new long[perThread];
            for (int i = 0; i < perThread; i++) {
              out[i] = blobs ? gen.nextBlobId() : gen.nextObjectId();
            }
            return out;
          });
    }
    Set<Long> all = new HashSet<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      for (Future<long[]> f : pool.invokeAll(tasks)) {
        for (long id : f.get()) {
          all.add(id);
        }
      }
    }
    assertEquals(threads * perThread, all.size());
  }

  @Test
  void textFormsRoundTrip() {
    IdGenerator gen = new IdGenerator(4);
    long object = gen.nextObjectId();
    long blob = gen.nextBlobId();
    assertEquals(object, ObjectIds.parseText(ObjectIds.toText(object)));
    assertEquals(blob, ObjectIds.parseText(ObjectIds.toText(blob)));
    long sig = gen.nextSignature();
    assertEquals(sig, ObjectIds.parseText(ObjectIds.signatureText(sig)));
    assertEquals(17, ObjectIds.toText(blob).length());
    assertTrue(ObjectIds.isBlob(ObjectIds.parseText(ObjectIds.toText(blob))));
    assertEquals(blob, UnsignedJson.read(UnsignedJson.node(blob), "id"));
    assertFalse(UnsignedJson.node(blob).toString().startsWith("-"));
  }

  @Test
  void emptyBlobHasItsFixedText() {
    assertEquals("o8000000000000000", ObjectIds.toText(ObjectIds.EMPTY_BLOB));
    assertTrue(ObjectIds.isBlob(ObjectIds.EMPTY_BLOB));
    assertEquals(ObjectIds.EMPTY_BLOB, ObjectIds.parseText("o8000000000000000"));
  }

  @Test
  void invalidIdIsAllOnesAndMalformedTextIsRejected() {
    assertEquals("offffffffffffffff", ObjectIds.toText(ObjectIds.INVALID));
    assertEquals("18446744073709551615", UnsignedJson.node(ObjectIds.INVALID).toString());
    assertThrows(IllegalArgumentException.class, () -> ObjectIds.parseText("oxyz"));
    assertThrows(IllegalArgumentException.class, () -> ObjectIds.parseText("o1ffffffffffffffff"));
  }
}
