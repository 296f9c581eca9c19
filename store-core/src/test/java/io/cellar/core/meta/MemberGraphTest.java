package io.cellar.core.meta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The edge sets: order of linking, no duplicates, both directions, small and large sets alike. */
class MemberGraphTest {
  private final MemberGraph graph = new MemberGraph();

  @Test
  void edgesKeepTheirLinkingOrderInBothDirections() {
    graph.link(1, 30);
    graph.link(1, 10);
    graph.link(1, 20);
    graph.link(2, 10);
    assertArrayEquals(new long[] {30, 10, 20}, graph.membersOf(1));
    assertArrayEquals(new long[] {1, 2}, graph.referrersOf(10));
    assertArrayEquals(new long[] {}, graph.membersOf(10));
    assertTrue(graph.hasReferrers(10));
    assertFalse(graph.hasReferrers(1));
  }

  @Test
  void aSecondLinkOfTheSameEdgeIsOneEdge() {
    graph.link(1, 10);
    graph.link(1, 10); // two fields of one object naming the same blob
    assertArrayEquals(new long[] {10}, graph.membersOf(1));
    graph.unlink(1, 10);
    assertArrayEquals(new long[] {}, graph.membersOf(1));
    assertFalse(graph.hasReferrers(10), "the entry goes with its last edge");
  }

  @Test
  void unlinkingFromTheMiddleKeepsTheOrderOfTheRest() {
    for (long m = 1; m <= 5; m++) {
      graph.link(100, m);
    }
    graph.unlink(100, 3);
    graph.unlink(100, 1);
    assertArrayEquals(new long[] {2, 4, 5}, graph.membersOf(100));
    graph.unlink(100, 99); // not an edge: nothing changes
    assertArrayEquals(new long[] {2, 4, 5}, graph.membersOf(100));
  }

  @Test
  void manyReferrersOfOneBlobBehaveLikeAFew() {
    long blob = 1L << 63 | 7;
    int many = 10 * MemberGraph.SMALL_EDGES;
    for (long parent = 1; parent <= many; parent++) {
      graph.link(parent, blob);
      graph.link(parent, blob);
    }
    assertArrayEquals(LongStream.rangeClosed(1, many).toArray(), graph.referrersOf(blob));
    for (long parent = 1; parent <= many; parent += 2) {
      graph.unlink(parent, blob);
    }
    assertArrayEquals(
        LongStream.rangeClosed(1, many).filter(p -> p % 2 == 0).toArray(), graph.referrersOf(blob));
    for (long parent = 2; parent <= many; parent += 2) {
      graph.unlink(parent, blob);
    }
    assertFalse(graph.hasReferrers(blob));
  }

  @Test
  void aSnapshotIsNotChangedByLaterEdges() {
    graph.link(1, 10);
    long[] before = graph.referrersOf(10);
    graph.link(2, 10);
    graph.unlink(1, 10);
    assertArrayEquals(new long[] {1}, before);
    assertArrayEquals(new long[] {2}, graph.referrersOf(10));
  }

  @Test
  void forgetAndClearDropEntries() {
    graph.link(1, 10);
    graph.link(2, 20);
    graph.forget(10);
    assertFalse(graph.hasReferrers(10));
    assertArrayEquals(new long[] {10}, graph.membersOf(1), "forget drops the id's own entries");
    graph.clear();
    assertArrayEquals(new long[] {}, graph.membersOf(2));
    assertFalse(graph.hasReferrers(20));
  }
}
