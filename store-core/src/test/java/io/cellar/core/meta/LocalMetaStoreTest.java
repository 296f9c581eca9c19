package io.cellar.core.meta;

import static io.cellar.core.meta.MetaFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.ObjectIds;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class LocalMetaStoreTest {
  private final LocalMetaStore store = new LocalMetaStore(3);

  @Test
  void registersItselfAsTheOnlyInstance() {
    assertEquals(3, store.registerInstance(json("{'hostname':'h','ipc_socket':'/s'}")));
    ObjectNode instances = store.instances();
    assertEquals(1, instances.size());
    assertEquals("h", instances.get("i3").get("hostname").textValue());
  }

  @Test
  void objectsAreCopiedInAndOut() {
    ObjectNode tree = json("{'typename':'vT','n':1}");
    store.putObjects(Map.of(7L, tree));
    tree.put("n", 2);
    ObjectNode stored = store.objects().get(7L);
    assertEquals(1, stored.get("n").intValue());
    stored.put("n", 3);
    assertEquals(1, store.objects().get(7L).get("n").intValue());
    store.deleteObjects(List.of(7L, 8L));
    assertTrue(store.objects().isEmpty());
  }

  @Test
  void namesAndSignatures() {
    store.putName("b", 2);
    store.putName("a", 1);
    store.putName("a", 5);
    assertEquals(List.of("a", "b"), List.copyOf(store.names().keySet()));
    assertEquals(5, store.names().get("a"));
    store.dropName("a");
    store.dropName("zzz");
    assertEquals(Map.of("b", 2L), store.names());
    store.putSignature(3, 99, 12);
    assertEquals(12, store.signatureObject(3, 99));
    assertEquals(ObjectIds.INVALID, store.signatureObject(4, 99));
  }

  @Test
  void userLocksAreExclusive() {
    assertEquals("k", store.tryLock("k"));
    assertNull(store.tryLock("k"));
    assertTrue(store.unlock("k"));
    assertFalse(store.unlock("k"));
    assertEquals("k", store.tryLock("k"));
  }

  @Test
  void metadataLockExcludesOtherThreadsUntilClosed() throws Exception {
    MetaStore.Held held = store.lockMetadata();
    AtomicBoolean released = new AtomicBoolean();
    AtomicBoolean acquiredWhileHeld = new AtomicBoolean();
    Thread other =
        new Thread(
            () -> {
              MetaStore.Held h = store.lockMetadata();
              acquiredWhileHeld.set(!released.get());
              h.close();
            });
    other.start();
    while (other.getState() != Thread.State.WAITING && other.isAlive()) {
      Thread.onSpinWait();
    }
    released.set(true);
    held.close();
    held.close();
    other.join();
    assertFalse(acquiredWhileHeld.get(), "the lock was not exclusive");
  }
}
