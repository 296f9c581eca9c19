package io.cellar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.client.Blob;
import io.cellar.client.BlobWriter;
import io.cellar.client.IpcClient;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import io.cellar.testing.daemon.DaemonCommand;
import io.cellar.testing.daemon.VineyarddProcess;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A store of many small objects, as a pipeline of fine-grained steps makes them: 250 000 objects of
 * one 256-byte blob each, put by one Java client into {@code bin/vineyardd} as shipped (its JVM
 * options), all still there and readable afterwards. The metadata of every object lives on the
 * daemon's heap (about 0.9 KB for a small object and its blob), so a launcher with a fixed small
 * heap fails here: at 192 MiB the daemon held some 110 000 such objects and then spent its time in
 * GC, never reaching the end. A heap that does fill up refuses new objects and keeps the old ones.
 */
@Timeout(600)
class ManySmallObjectsIT {
  private static final int COUNT = 250_000;
  private static final int SIZE = 256;

  @Test
  void aQuarterMillionSmallObjectsAreAllKept() throws Exception {
    DaemonCommand command =
        DaemonCommand.findLauncher()
            .map(DaemonCommand::cellarLauncher)
            .orElseThrow(
                () -> new AssertionError("bin/vineyardd is not runnable: the server is not built"));
    try (Filling f = new Filling(command)) {
      for (int i = 0; i < COUNT; i++) {
        f.put(i);
      }
      List<Long> sample = new ArrayList<>();
      for (int i = 0; i < COUNT; i += COUNT / 50) {
        sample.add(f.objects[i]);
      }
      sample.add(f.objects[COUNT - 1]);
      Map<Long, ObjectNode> metas = f.client.getData(sample, false);
      assertEquals(sample.size(), metas.size(), "every sampled object is there");
      for (int i = 0; i < COUNT; i += COUNT / 50) {
        assertEquals(i, metas.get(f.objects[i]).path("index").asInt(), "object " + i);
      }
      f.assertKept(0, COUNT / 2, COUNT - 1);
      assertTrue(
          f.client.instanceStatus().memoryUsage() >= (long) COUNT * SIZE,
          "the store holds every blob");
      assertEquals(0, f.server.stop(), f.server.log());
    }
  }

  /**
   * A heap too small for what is put: the daemon refuses new blobs and objects with {@code
   * NotEnoughMemory} (41) before it runs out, keeps serving and keeps every object it took, and
   * takes new ones again once objects are deleted.
   */
  @Test
  void aFullHeapRefusesNewObjectsAndKeepsTheOldOnes() throws Exception {
    // the launchers' collector settings: survivors promoted at once fill the old generation with
    // garbage sooner, which the guard must not mistake for live data
    try (Filling f =
        new Filling(
            DaemonCommand.cellarMain(
                List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:MaxTenuringThreshold=0")))) {
      int taken = 0;
      CellarException refused = null;
      while (refused == null && taken < COUNT) {
        try {
          f.put(taken);
          taken++;
        } catch (CellarException e) {
          refused = e;
        }
      }
      assertTrue(refused != null, "64 MiB of heap cannot hold " + COUNT + " objects");
      assertEquals(StatusCode.NOT_ENOUGH_MEMORY, refused.status(), refused.toString());
      assertTrue(refused.getMessage().contains("heap"), refused.getMessage());
      assertTrue(taken > 1000, "refused only near the limit, after " + taken);
      f.assertKept(0, taken / 2, taken - 1);
      assertEquals(1, f.client.instanceStatus().ipcConnections(), "the daemon still serves");

      List<Long> all = new ArrayList<>();
      for (int i = 0; i < taken; i++) {
        all.add(f.objects[i]);
        if (all.size() == 10_000 || i == taken - 1) {
          f.client.delete(all, true, true);
          all.clear();
        }
      }
      f.put(0);
      f.assertKept(0); // taken again after the delete
      assertEquals(0, f.server.stop(), f.server.log());
    }
  }

  /** A daemon, one client, and the ids of the objects and blobs it put, by index. */
  private static final class Filling implements AutoCloseable {
    final VineyarddProcess server;
    final IpcClient client;
    final Arena arena = Arena.ofConfined();
    final MemorySegment source = arena.allocate(SIZE);
    final long[] objects = new long[COUNT];
    final long[] blobs = new long[COUNT];

    Filling(DaemonCommand command) throws IOException {
      server = VineyarddProcess.builder(command).size("1G").start();
      try {
        client = IpcClient.connect(server.socket());
      } catch (IOException | RuntimeException e) {
        server.close();
        arena.close();
        throw e;
      }
    }

    /** Puts object {@code i}: one blob that starts with {@code i}, and its metadata. */
    void put(int i) throws IOException {
      source.set(ValueLayout.JAVA_INT_UNALIGNED, 0, i); // each blob says which one it is
      try (BlobWriter writer = client.createBlob(SIZE)) {
        MemorySegment.copy(source, 0, writer.segment(), 0, SIZE);
        objects[i] =
            client
                .sealAndCreateData(
                    List.of(writer),
                    written -> {
                      blobs[i] = written.get(0).id();
                      return small(written.get(0), i);
                    })
                .id();
      }
    }

    /** Objects {@code indexes} and their blobs are there with what was put. */
    void assertKept(int... indexes) throws IOException {
      for (int i : indexes) {
        assertEquals(i, client.getData(objects[i]).path("index").asInt(), "object " + i);
        Blob blob = client.getBlob(blobs[i]);
        assertEquals(i, blob.segment().get(ValueLayout.JAVA_INT_UNALIGNED, 0), "blob " + i);
      }
    }

    @Override
    public void close() {
      client.close();
      arena.close();
      server.close();
    }
  }

  private static ObjectNode small(Blob blob, int index) {
    ObjectNode meta = JsonNodeFactory.instance.objectNode();
    meta.put("typename", "cellar::it::Small");
    meta.put("nbytes", SIZE);
    meta.put("index", index);
    meta.set("buffer_", blob.metadata());
    return meta;
  }
}
