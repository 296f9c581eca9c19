package io.cellar.core.meta.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.meta.backend.InstanceFacts;
import io.cellar.core.meta.backend.MetaListener;
import io.cellar.core.meta.backend.MetaOp;
import io.cellar.core.meta.backend.MetaSnapshot;
import io.cellar.core.meta.backend.Registration;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class LocalMetaBackendTest {
  private static final InstanceFacts FACTS = new InstanceFacts("h", "n", "/s.sock", "h:9600", 7);

  private static ObjectNode object(String typename) {
    return JsonNodeFactory.instance.objectNode().put("typename", "v" + typename).put("n", 1);
  }

  @Test
  void registersOneInstanceAsZeroByDefaultAndAsGivenOtherwise() {
    LocalMetaBackend backend = new LocalMetaBackend();
    assertEquals("local", backend.name());
    assertTrue(backend.instances().isEmpty(), "nobody before registration");
    Registration r = backend.register(FACTS);
    assertEquals(0, r.instanceId());
    assertTrue(r.alive());
    assertEquals(1, backend.instances().size());
    assertEquals(FACTS, backend.instances().getFirst().facts());
    assertEquals(0, backend.instances().getFirst().instanceId());
    backend.close();
    assertFalse(r.alive(), "closing ends the registration");
    assertEquals(3, new LocalMetaBackend(3).register(FACTS).instanceId());
  }

  @Test
  void commitsApplyAtOnceInOrderAndCountRevisions() throws Exception {
    LocalMetaBackend backend = new LocalMetaBackend();
    backend.register(FACTS);
    assertEquals(0, backend.load().revision());
    CompletableFuture<Long> first =
        backend.commit(
            List.of(
                new MetaOp.PutObject(5, object("a")),
                new MetaOp.PutName("n", 5),
                new MetaOp.PutSignature(0, 99, 5)));
    assertTrue(first.isDone(), "the local backend answers at once");
    assertEquals(1, first.get());
    assertEquals(
        2, backend.commit(List.of(new MetaOp.PutName("n", 6), new MetaOp.PutName("m", 5))).get());
    MetaSnapshot s = backend.load();
    assertEquals(2, s.revision());
    assertEquals(Map.of("m", 5L, "n", 6L), s.names(), "the later binding wins");
    assertEquals("va", s.objects().get(5L).get("typename").textValue());
    assertEquals(List.of(new MetaOp.PutSignature(0, 99, 5)), s.signatures());
    assertEquals(1, s.instances().size());

    backend.commit(List.of(new MetaOp.DeleteObject(5), new MetaOp.DropName("m"))).get();
    s = backend.load();
    assertTrue(s.objects().isEmpty());
    assertEquals(Map.of("n", 6L), s.names());
    assertEquals(3, backend.sync().get(), "sync answers the revision at once");
  }

  @Test
  void objectsAreCopiedInAndOut() throws Exception {
    LocalMetaBackend backend = new LocalMetaBackend();
    backend.register(FACTS);
    ObjectNode tree = object("t");
    backend.commit(List.of(new MetaOp.PutObject(7, tree))).get();
    tree.put("n", 2);
    ObjectNode stored = backend.load().objects().get(7L);
    assertEquals(1, stored.get("n").intValue());
    stored.put("n", 3);
    assertEquals(1, backend.load().objects().get(7L).get("n").intValue());
  }

  @Test
  void theWatchNeverDeliversSinceNobodyElseCommits() throws Exception {
    LocalMetaBackend backend = new LocalMetaBackend();
    backend.register(FACTS);
    MetaListener fails =
        (revision, ops) -> {
          throw new AssertionError("delivered " + ops);
        };
    AutoCloseable watch = backend.watch(0, fails);
    backend.commit(List.of(new MetaOp.PutName("x", 1))).get();
    watch.close();
  }

  @Test
  void userLocksAreExclusive() {
    LocalMetaBackend backend = new LocalMetaBackend();
    assertEquals("k", backend.tryLock("k"));
    assertNull(backend.tryLock("k"));
    assertTrue(backend.unlock("k"));
    assertFalse(backend.unlock("k"));
    assertEquals("k", backend.tryLock("k"));
  }

  @Test
  void aClosedBackendRefusesWork() {
    LocalMetaBackend backend = new LocalMetaBackend();
    backend.register(FACTS);
    backend.close();
    backend.close();
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () -> backend.commit(List.of(new MetaOp.DropName("x"))).get());
    assertEquals(StatusCode.ALREADY_STOPPED, ((CellarException) e.getCause()).status());
    assertEquals(
        StatusCode.ALREADY_STOPPED,
        assertThrows(CellarException.class, () -> backend.register(FACTS)).status());
  }
}
