package io.cellar.core.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.core.config.StoreConfig;
import io.cellar.core.id.IdGenerator;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

/**
 * Threads create, fill, seal, read each other's blobs and delete them at once. Each blob is filled
 * with a pattern derived from its id; any overlap or early reuse of memory breaks some pattern.
 */
class BlobStoreConcurrencyTest {
  private static final long MB = 1L << 20;

  @Test
  void concurrentCreateSealGetDeleteKeepsBlobsIntactAndAccountsExactly() throws Exception {
    int threads = 4;
    int rounds = 1500;
    try (BlobStore store = new BlobStore(StoreConfig.ofLimit(64 * MB), new IdGenerator(0))) {
      List<Long> published = Collections.synchronizedList(new ArrayList<>());
      List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
      CyclicBarrier start = new CyclicBarrier(threads);
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long owner = 100 + t;
        Thread w =
            new Thread(
                () -> {
                  try {
                    start.await();
                    Random rnd = new Random(owner);
                    ArrayDeque<Long> mine = new ArrayDeque<>();
                    for (int i = 0; i < rounds; i++) {
                      long size = 1 + rnd.nextInt(rnd.nextBoolean() ? 512 : 64 * 1024);
                      long id = store.create(owner, size).objectId();
                      fill(store.segment(id), id);
                      store.seal(owner, id);
                      store.release(owner, id);
                      published.add(id);
                      mine.add(id);
                      // read someone's blob: intact while we hold a reference, even if deleted
                      long other = published.get(rnd.nextInt(published.size()));
                      if (!store.get(owner, new long[] {other}, false).isEmpty()) {
                        MemorySegment view = viewOrNull(store, other);
                        if (view != null) {
                          check(view, other);
                          store.delete(new long[] {other});
                          check(view, other);
                        }
                        store.release(owner, other);
                      }
                      if (mine.size() > 32) {
                        store.delete(new long[] {mine.poll()});
                      }
                      if (rnd.nextInt(8) == 0) {
                        store.create(owner, 1 + rnd.nextInt(4096)); // left unsealed
                      }
                    }
                  } catch (Throwable e) {
                    failures.add(e);
                  }
                });
        workers.add(w);
        w.start();
      }
      for (Thread w : workers) {
        w.join();
      }
      assertTrue(failures.isEmpty(), () -> failures.toString());

      // every blob still alive is intact, and counts add up
      long expectedBytes = 0;
      for (long id : store.ids()) {
        if (store.isSealed(id)) {
          store.get(1, new long[] {id}, false);
          check(store.segment(id), id);
          store.release(1, id);
        }
        expectedBytes += Math.max(64, (store.size(id) + 63) & -64);
      }
      assertEquals(expectedBytes, store.memoryUsage());
      for (int t = 0; t < threads; t++) {
        store.releaseOwner(100 + t);
      }
      assertEquals(store.ids().length, store.blobCount());
      store.delete(store.ids());
      assertEquals(0, store.blobCount());
      assertEquals(0, store.memoryUsage(), "everything freed once references and owners are gone");
    }
  }

  /** A blob's view, or null when another thread deleted it since our get (we still hold it). */
  static MemorySegment viewOrNull(BlobStore store, long id) {
    try {
      return store.segment(id);
    } catch (CellarException e) {
      if (e.status() != StatusCode.OBJECT_NOT_EXISTS) {
        throw e;
      }
      return null; // deleted by another thread between our get and here
    }
  }

  private static void fill(MemorySegment s, long id) {
    for (long i = 0; i < s.byteSize(); i++) {
      s.set(ValueLayout.JAVA_BYTE, i, (byte) (id * 31 + i));
    }
  }

  private static void check(MemorySegment s, long id) {
    for (long i = 0; i < s.byteSize(); i++) {
      if (s.get(ValueLayout.JAVA_BYTE, i) != (byte) (id * 31 + i)) {
        throw new CellarException(StatusCode.ASSERTION_FAILED, "blob " + id + " corrupted at " + i);
      }
    }
  }
}
