package io.cellar.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ProcessCallsTest {
  /** The nice value (field 19) of a thread of this process, from /proc. */
  private static int niceOf(int tid) throws Exception {
    String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Integer.parseInt(f[19 - 3]);
  }

  @Test
  void setThreadNiceChangesTheCallingThreadOnlyAndItsNewThreadsInheritIt() throws Exception {
    AtomicReference<int[]> seen = new AtomicReference<>();
    int mine = ProcessCalls.threadId();
    int before = niceOf(mine);
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
                                    child[0] = niceOf(ProcessCalls.threadId());
                                  } catch (Exception e) {
                                    child[0] = Integer.MIN_VALUE;
                                  }
                                });
                    c.join();
                    seen.set(new int[] {niceOf(tid), child[0]});
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
    t.join();
    assertEquals(ProcessCalls.BACKGROUND_NICE, seen.get()[0], "the calling thread");
    assertEquals(ProcessCalls.BACKGROUND_NICE, seen.get()[1], "a thread it started afterwards");
    assertEquals(before, niceOf(mine), "other threads keep theirs");
  }

  @Test
  void setThreadNiceByIdChangesThatThreadOnly() throws Exception {
    int mine = ProcessCalls.threadId();
    int before = niceOf(mine);
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
    assertEquals(ProcessCalls.BACKGROUND_NICE, niceOf(tid[0]), "the thread named");
    assertEquals(before, niceOf(mine), "the caller keeps its own");
    done.countDown();
    t.join();
  }
}
