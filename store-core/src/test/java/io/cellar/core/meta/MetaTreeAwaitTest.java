package io.cellar.core.meta;

import static io.cellar.core.meta.MetaFixture.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.id.IdGenerator;
import io.cellar.protocol.ObjectIds;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class MetaTreeAwaitTest {
  private static final long T = 1_764_340_000_000L;

  /** A fixed clock makes ids predictable: each create with a given signature takes one tick. */
  private final MetaFixture f = new MetaFixture(new IdGenerator(0, () -> T));

  private long nextCreatedId() {
    return f.ids.nextObjectId() + 1;
  }

  private long createWithSignature(String typename) {
    return f.tree.create(object(typename, "'signature':1")).id();
  }

  @Test
  void existingObjectsCompleteAtOnce() {
    long id = createWithSignature("t::T");
    long blob = f.blob(4);
    CompletableFuture<ObjectNode> future = f.tree.awaitObjects(new long[] {id, blob});
    assertTrue(future.isDone());
    assertEquals(2, future.join().size());
    assertEquals(0, f.tree.pendingWaiters());
  }

  @Test
  void aLaterCreateCompletesTheWait() {
    long present = createWithSignature("t::Present");
    long never = f.ids.nextObjectId(); // taken here, so no object will ever get it
    CompletableFuture<ObjectNode> blocked = f.tree.awaitObjects(new long[] {present, never});
    long expected = nextCreatedId();
    CompletableFuture<ObjectNode> future = f.tree.awaitObjects(new long[] {expected});
    assertFalse(future.isDone());
    long created = createWithSignature("t::Awaited");
    assertEquals(expected, created);
    assertTrue(future.isDone());
    assertEquals(
        "t::Awaited", future.join().get(ObjectIds.toText(created)).get("typename").textValue());
    assertFalse(blocked.isDone());
    assertEquals(1, f.tree.pendingWaiters());
    blocked.cancel(false);
    assertEquals(0, f.tree.pendingWaiters());
  }

  @Test
  void aLaterPutNameCompletesTheWait() {
    long id = createWithSignature("t::T");
    f.tree.persist(id);
    CompletableFuture<Long> future = f.tree.names().await("later");
    assertFalse(future.isDone());
    f.tree.names().put("other", id);
    assertFalse(future.isDone());
    f.tree.names().put("later", id);
    assertTrue(future.isDone());
    assertEquals(id, future.join());
    assertEquals(id, f.tree.names().await("later").join());
    assertEquals(0, f.tree.pendingWaiters());
  }

  @Test
  void cancelledWaitersDoNotLeak() {
    CompletableFuture<ObjectNode> objects = f.tree.awaitObjects(new long[] {nextCreatedId()});
    CompletableFuture<Long> name = f.tree.names().await("x");
    assertEquals(2, f.tree.pendingWaiters());
    objects.cancel(false);
    name.cancel(false);
    assertEquals(0, f.tree.pendingWaiters());
  }

  @Test
  void waitersAreCompletedOutsideTheLock() throws Exception {
    long expected = nextCreatedId();
    AtomicBoolean otherThreadGotIn = new AtomicBoolean();
    CompletableFuture<Void> chained =
        f.tree
            .awaitObjects(new long[] {expected})
            .thenAccept(
                content -> {
                  Thread other = new Thread(() -> f.tree.objectCount());
                  other.start();
                  try {
                    other.join(TimeUnit.SECONDS.toMillis(10));
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  otherThreadGotIn.set(!other.isAlive());
                });
    createWithSignature("t::T");
    chained.get(20, TimeUnit.SECONDS);
    assertTrue(otherThreadGotIn.get(), "the tree's lock was held while completing the future");
  }
}
