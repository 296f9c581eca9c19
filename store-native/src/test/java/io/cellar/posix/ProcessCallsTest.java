package io.cellar.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.testing.ThreadNice;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ProcessCallsTest {
  @Test
  void setThreadNiceChangesTheCallingThreadOnlyAndItsNewThreadsInheritIt() throws Exception {
    AtomicReference<int[]> seen = new AtomicReference<>();
    int mine = ProcessCalls.threadId();
    int before = ThreadNice.of(mine);
    Thread t =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    int tid = ProcessCalls.threadId();
                    assertTrue(ProcessCalls.setThreadNice(ProcessCalls.BACKGROUND_NICE));
                    int[] child = new int[1];
                    Thread c =
                        Thread.ofPlatform()
                            .start(
                                () -> {
                                  try {
                                    child[0] = ThreadNice.of(ProcessCalls.threadId());
                                  } catch (Exception e) {
                                    child[0] = Integer.MIN_VALUE;
                                  }
                                });
                    c.join();
                    seen.set(new int[] {ThreadNice.of(tid), child[0]});
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
    t.join();
    assertEquals(ProcessCalls.BACKGROUND_NICE, seen.get()[0], "the calling thread");
    assertEquals(ProcessCalls.BACKGROUND_NICE, seen.get()[1], "a thread it started afterwards");
    assertEquals(before, ThreadNice.of(mine), "other threads keep theirs");
  }

  @Test
  void setThreadNiceByIdChangesThatThreadOnly() throws Exception {
    int mine = ProcessCalls.threadId();
    int before = ThreadNice.of(mine);
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    int[] tid = new int[1];
    java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
    Thread t =
        Thread.ofPlatform()
            .start(
                () -> {
                  tid[0] = ProcessCalls.threadId();
                  started.countDown();
                  try {
                    done.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    started.await();
    assertTrue(ProcessCalls.setThreadNice(tid[0], ProcessCalls.BACKGROUND_NICE));
    assertEquals(ProcessCalls.BACKGROUND_NICE, ThreadNice.of(tid[0]), "the thread named");
    assertEquals(before, ThreadNice.of(mine), "the caller keeps its own");
    done.countDown();
    t.join();
  }
}
