package io.cellar.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CommitLedgerTest {
  @Test
  void aResponseArrivingDuringATransactionWaitsForIt() {
    CommitLedger ledger = new CommitLedger();
    AtomicInteger settled = new AtomicInteger();
    ledger.onSettled(settled::incrementAndGet);
    long seq = ledger.begin();
    long capturedAtArrival = ledger.lastBegun();
    assertFalse(ledger.settledUpTo(capturedAtArrival), "the event may be this transaction's");
    ledger.succeeded(seq, 42, List.of(EtcdWrite.put("/k", "1")));
    assertTrue(ledger.settledUpTo(capturedAtArrival));
    assertEquals(1, settled.get());
    assertTrue(ledger.isOwn(42, List.of()));
    assertFalse(ledger.isOwn(43, List.of()));
    assertEquals(Set.of("/k"), ledger.ownKeys(41, 42));
    ledger.forgetUpTo(42);
    assertFalse(ledger.isOwn(42, List.of()));
  }

  @Test
  void anUncertainTransactionIsRecognisedByItsContentOnce() {
    CommitLedger ledger = new CommitLedger();
    List<EtcdWrite> writes = List.of(EtcdWrite.put("/a", "1"), EtcdWrite.delete("/b"));
    ledger.uncertain(ledger.begin(), writes);
    List<Long> prints = writes.stream().map(EtcdWrite::fingerprint).toList();
    assertFalse(ledger.isOwn(9, List.of(EtcdWrite.put("/a", "2").fingerprint())), "other value");
    assertTrue(ledger.isOwn(9, prints));
    assertFalse(ledger.isOwn(10, prints), "forgotten once matched");
  }
}
