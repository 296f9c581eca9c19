package io.cellar.server.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.core.Store;
import io.cellar.core.config.StoreConfig;
import io.cellar.protocol.Payload;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-connection session: its owner token and its ledger of arenas already sent. */
class ConnectionSessionTest {
  private Store store;

  @BeforeEach
  void open() {
    store = Store.open(StoreConfig.ofLimit(16L << 20));
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void anArenaIsPassedOncePerSessionWithItsFileDescriptorResolved() {
    try (ConnectionSession session = ConnectionSession.open(store, false)) {
      Payload first = store.createBlob(session.owner(), 100);
      ArenaFds due = session.arenasToPass(List.of(first));
      assertArrayEquals(new int[] {first.storeFd()}, due.keys());
      assertArrayEquals(new int[] {store.arenaFileDescriptor(first.storeFd())}, due.fds());

      Payload second = store.createBlob(session.owner(), 200);
      assertSame(ArenaFds.NONE, session.arenasToPass(List.of(first, second)), "already sent");

      try (ConnectionSession other = ConnectionSession.open(store, false)) {
        assertArrayEquals(
            new int[] {first.storeFd()},
            other.arenasToPass(List.of(second, first)).keys(),
            "another connection has its own ledger, and one fd per arena");
      }
    }
  }

  @Test
  void emptyBlobsAndRpcConnectionsPassNothing() {
    try (ConnectionSession ipc = ConnectionSession.open(store, false);
        ConnectionSession rpc = ConnectionSession.open(store, true)) {
      Payload empty = store.createBlob(ipc.owner(), 0);
      assertTrue(ipc.arenasToPass(List.of(empty)).isEmpty());
      Payload blob = store.createBlob(rpc.owner(), 64);
      assertTrue(rpc.arenasToPass(List.of(blob)).isEmpty(), "TCP carries no fds");
      assertTrue(rpc.isRpc());
      assertTrue(!ipc.isRpc());
    }
  }

  @Test
  void registrationIsRecorded() {
    try (ConnectionSession session = ConnectionSession.open(store, false)) {
      assertTrue(!session.registered());
      session.markRegistered();
      assertTrue(session.registered());
    }
  }

  @Test
  void closingDropsTheOwnerAndItsUnsealedBlobsOnce() {
    ConnectionSession session = ConnectionSession.open(store, false);
    store.createBlob(session.owner(), 4096);
    assertTrue(store.status().memoryUsage() >= 4096);
    session.close();
    session.close(); // idempotent
    assertEquals(0, store.status().memoryUsage(), "the unsealed blob is reclaimed");
  }
}
