package io.cellar.core.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.core.alloc.BestFitAllocator;
import io.cellar.core.config.StoreConfig;
import io.cellar.core.id.IdGenerator;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.Payload;
import io.cellar.protocol.StatusCode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spills and loads run their file I/O outside the store's lock, so a blob can be read, referenced,
 * pinned, evicted, loaded and deleted by other threads while it is on its way to or from disk. The
 * spill directory here takes a millisecond per transfer, as a slow disk would, so that they do.
 * Writers fill a small store so that creates keep spilling; readers get and check blobs (which
 * reloads spilled ones); others evict, load, pin, unpin and delete. Every blob is filled with a
 * pattern derived from its id: a reader holding a reference must always see it whole, whatever
 * happens to the blob meanwhile. At the end the accounting is exact and no spill file is left.
 */
class BlobTransferStressTest {
  private static final long KB = 1L << 10;
  private static final long MB = 1L << 20;
  private static final int ROUNDS = 400;

  @TempDir Path dir;

  @Test
  void getsDeletesEvictsAndLoadsDuringSpillsKeepBlobsIntact() throws Exception {
    BlobStore store =
        new BlobStore(
            StoreConfig.ofLimit(16 * MB).withSpillPath(dir),
            new IdGenerator(0),
            real -> new GatedSpillFiles(real, 1));
    List<Long> published = Collections.synchronizedList(new ArrayList<>());
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger reloadsSeen = new AtomicInteger();
    AtomicInteger noRoom = new AtomicInteger();
    AtomicInteger calls = new AtomicInteger();
    AtomicLong target = new AtomicLong(); // the blob the churner is moving: readers go for it
    List<Role> roles = List.of(Role.WRITER, Role.WRITER, Role.READER, Role.READER, Role.CHURN);
    CyclicBarrier start = new CyclicBarrier(roles.size());
    AtomicInteger writers =
        new AtomicInteger((int) roles.stream().filter(Role.WRITER::equals).count());
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < roles.size(); t++) {
      long owner = 100 + t;
      Role role = roles.get(t);
      Thread thread =
          new Thread(
              () -> {
                Random rnd = new Random(owner);
                ArrayDeque<Long> pinned = new ArrayDeque<>();
                try {
                  start.await();
                  // writers make ROUNDS blobs; the others go on for as long as writers write
                  for (int i = 0; role == Role.WRITER ? i < ROUNDS : writers.get() > 0; i++) {
                    calls.incrementAndGet();
                    try {
                      switch (role) {
                        case WRITER -> write(store, owner, rnd, published);
                        case READER -> read(store, owner, rnd, published, target, reloadsSeen);
                        case CHURN -> churn(store, rnd, published, target, pinned);
                      }
                    } catch (CellarException e) {
                      if (e.status() != StatusCode.NOT_ENOUGH_MEMORY) {
                        throw e;
                      }
                      noRoom.incrementAndGet(); // every byte held by readers and writers: allowed
                    }
                  }
                } catch (Throwable e) {
                  failures.add(e);
                } finally {
                  if (role == Role.WRITER) {
                    writers.decrementAndGet();
                  }
                  store.releaseOwner(owner);
                }
              },
              "spill-" + role + "-" + t);
      threads.add(thread);
      thread.start();
    }
    for (Thread t : threads) {
      t.join(120_000);
      assertTrue(!t.isAlive(), t.getName() + " is stuck");
    }
    assertTrue(failures.isEmpty(), () -> failures.toString());
    assertTrue(store.spilledCount() > 0 || reloadsSeen.get() > 0, "the run spilled nothing");
    assertTrue(
        noRoom.get() < calls.get() / 10, noRoom + " of " + calls + " calls ran out of memory");
    assertTrue(reloadsSeen.get() > 0, "no reader found a spilled blob");

    // every live blob is intact; the bytes in memory and the files on disk add up exactly
    long resident = 0;
    long spilled = 0;
    for (long id : store.ids()) {
      if (store.isSpilled(id)) {
        spilled++;
      } else {
        resident += BestFitAllocator.alignedSize(store.size(id));
      }
    }
    assertEquals(resident, store.memoryUsage());
    assertEquals(spilled, store.spilledCount());
    assertEquals(spilled, spillFiles());
    for (long id : store.ids()) {
      store.get(1, new long[] {id}, false);
      check(store.segment(id), id);
      store.release(1, id);
    }
    store.delete(store.ids());
    assertEquals(0, store.memoryUsage());
    assertEquals(0, store.spilledCount());
    assertEquals(0, spillFiles(), "deleting a spilled blob removes its file");
    store.close(); // a leak check: every owner released everything
  }

  private enum Role {
    WRITER,
    READER,
    CHURN
  }

  /** Creates a blob (which may spill others first), fills it, seals it and lets it go cold. */
  private static void write(BlobStore store, long owner, Random rnd, List<Long> published) {
    long size = 256 * KB + rnd.nextInt((int) (2 * MB));
    long id = store.create(owner, size).objectId();
    fill(store.segment(id), id);
    store.seal(owner, id);
    store.release(owner, id);
    published.add(id);
  }

  /** Gets a blob (reloading it if spilled) and checks it while others may evict or delete it. */
  private static void read(
      BlobStore store,
      long owner,
      Random rnd,
      List<Long> published,
      AtomicLong target,
      AtomicInteger reloads) {
    long id = rnd.nextBoolean() ? target.get() : pick(rnd, published);
    if (id == 0) {
      return;
    }
    boolean wasSpilled = store.isSpilled(id);
    List<Payload> got = store.get(owner, new long[] {id}, false);
    if (got.isEmpty()) {
      return; // deleted before we got it
    }
    if (wasSpilled) {
      reloads.incrementAndGet();
    }
    MemorySegment view = BlobStoreConcurrencyTest.viewOrNull(store, id);
    if (view != null) {
      check(view, id);
      store.evict(new long[] {id}); // referenced: stays
      check(view, id);
      if (rnd.nextInt(4) == 0) {
        store.delete(new long[] {id}); // our reference keeps the bytes
        published.remove(id);
      }
      check(view, id);
    }
    store.release(owner, id);
  }

  /** Evicts, loads, pins, unpins and deletes blobs of others, telling readers which. */
  private static void churn(
      BlobStore store,
      Random rnd,
      List<Long> published,
      AtomicLong target,
      ArrayDeque<Long> pinned) {
    long id = pick(rnd, published);
    if (id == 0) {
      return;
    }
    target.set(id);
    switch (rnd.nextInt(5)) {
      case 0, 1 -> store.evict(new long[] {id});
      case 2 -> {
        boolean pin = rnd.nextBoolean();
        store.load(new long[] {id}, pin);
        if (pin) {
          pinned.add(id);
          if (pinned.size() > 2) {
            store.unpin(new long[] {pinned.poll()}); // few pinned at once, or memory fills up
          }
        }
      }
      case 3 -> store.unpin(new long[] {id});
      default -> {
        if (rnd.nextInt(3) == 0) {
          store.delete(new long[] {id});
          published.remove(id);
        }
      }
    }
  }

  private static long pick(Random rnd, List<Long> published) {
    synchronized (published) {
      return published.isEmpty() ? 0 : published.get(rnd.nextInt(published.size()));
    }
  }

  private long spillFiles() throws IOException {
    try (var files = Files.list(dir)) {
      return files.count();
    }
  }

  private static void fill(MemorySegment s, long id) {
    for (long i = 0; i + 8 <= s.byteSize(); i += 8) {
      s.set(ValueLayout.JAVA_LONG_UNALIGNED, i, id * 31 + i);
    }
  }

  private static void check(MemorySegment s, long id) {
    for (long i = 0; i + 8 <= s.byteSize(); i += 8) {
      if (s.get(ValueLayout.JAVA_LONG_UNALIGNED, i) != id * 31 + i) {
        throw new AssertionError("blob " + Long.toUnsignedString(id) + " corrupted at " + i);
      }
    }
  }
}
