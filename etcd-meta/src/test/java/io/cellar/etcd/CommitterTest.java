package io.cellar.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CommitterTest {
  @Test
  void chunksHoldAtMost127OpsInOrder() {
    List<EtcdWrite> writes = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      writes.add(EtcdWrite.put("/k" + i, "1"));
    }
    List<List<EtcdWrite>> chunks = Committer.chunks(writes);
    assertEquals(List.of(127, 127, 46), chunks.stream().map(List::size).toList());
    assertEquals(writes, chunks.stream().flatMap(List::stream).toList());
  }

  @Test
  void aKeyTwiceStartsANewChunk() {
    List<EtcdWrite> writes =
        List.of(
            EtcdWrite.put("/a", "1"),
            EtcdWrite.put("/b", "1"),
            EtcdWrite.delete("/a"),
            EtcdWrite.put("/a", "2"));
    List<List<EtcdWrite>> chunks = Committer.chunks(writes);
    assertEquals(3, chunks.size());
    for (List<EtcdWrite> chunk : chunks) {
      Set<String> keys = new HashSet<>();
      assertTrue(chunk.stream().allMatch(w -> keys.add(w.key())), "no key twice: " + chunk);
    }
    assertEquals(writes, chunks.stream().flatMap(List::stream).toList());
  }

  @Test
  void anEmptyBatchIsOneEmptyTransaction() {
    assertEquals(List.of(List.of()), Committer.chunks(List.of()));
  }

  @Test
  void aMemberDyingUnderACallIsRetriedButARefusalIsNot() {
    // what jetcd reports when the member it talks to is killed mid-call
    assertTrue(
        Committer.retryable(
            Status.UNKNOWN
                .withDescription("channel closed")
                .withCause(new ClosedChannelException())
                .asRuntimeException()));
    assertTrue(
        Committer.retryable(Status.UNKNOWN.withDescription("channel closed").asRuntimeException()));
    assertTrue(Committer.retryable(Status.UNAVAILABLE.asRuntimeException()));
    assertTrue(
        Committer.retryable(
            Status.UNKNOWN.withDescription("etcdserver: leader changed").asRuntimeException()));
    assertFalse(
        Committer.retryable(
            Status.INVALID_ARGUMENT
                .withDescription("etcdserver: too many operations in txn request")
                .asRuntimeException()));
    assertFalse(
        Committer.retryable(
            Status.UNKNOWN
                .withDescription("etcdserver: request is too large")
                .asRuntimeException()));
  }
}
