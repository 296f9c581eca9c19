package io.cellar.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cellar.client.Blob;
import io.cellar.client.IpcClient;
import io.cellar.client.data.Tensor;
import io.cellar.client.data.Values;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import io.cellar.testing.daemon.VineyarddExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Several clients on one server at once: concurrent puts and gets, names, a waiting get_name. */
@Timeout(120)
class ClientsTogetherIT {
  @RegisterExtension static final VineyarddExtension SERVER = Servers.cellar("512M");

  @Test
  void severalClientsPutAndReadEachOthersBlobsAtOnce() throws Exception {
    int clients = 4;
    int perClient = 40;
    Map<Long, Long> seedById = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int client = c;
        done.add(
            pool.submit(
                () -> {
                  try (IpcClient ipc = IpcClient.connect(SERVER.socket())) {
                    for (int i = 0; i < perClient; i++) {
                      long seed = client * 1000L + i;
                      byte[] bytes = new byte[1 + (int) (seed % 5000)];
                      BytePattern.fill(java.lang.foreign.MemorySegment.ofArray(bytes), seed);
                      Blob blob = ipc.putBytes(bytes);
                      seedById.put(blob.id(), seed);
                      // read back whatever the others have put so far
                      for (Map.Entry<Long, Long> other : seedById.entrySet()) {
                        Blob read = ipc.getBlob(other.getKey());
                        assertEquals(
                            -1, BytePattern.firstMismatch(read.segment(), other.getValue()));
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(100, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(clients * perClient, seedById.size(), "every blob id is distinct");
    try (IpcClient check = IpcClient.connect(SERVER.socket())) {
      assertEquals(clients * perClient, check.getBlobs(new ArrayList<>(seedById.keySet())).size());
    }
  }

  @Test
  void aNamePutByOneClientResolvesInAnother() throws Exception {
    try (IpcClient writer = IpcClient.connect(SERVER.socket());
        IpcClient reader = IpcClient.connect(SERVER.socket())) {
      Tensor stored = Values.putTensor(writer, Tensor.of(new long[] {4, 5, 6}));
      writer.persist(stored.id());
      writer.putName(stored.id(), "shared/tensor");
      assertEquals(stored.id(), reader.getName("shared/tensor", false));
      assertArrayEquals(new long[] {4, 5, 6}, Values.getTensor(reader, stored.id()).toLongArray());
      assertEquals(stored.id(), reader.listNames("shared/*", false, 10).get("shared/tensor"));
      reader.dropName("shared/tensor");
      CellarException gone =
          assertThrows(CellarException.class, () -> writer.getName("shared/tensor", false));
      assertEquals(StatusCode.OBJECT_NOT_EXISTS, gone.status());
    }
  }

  @Test
  void aWaitingGetNameIsReleasedByAnotherClientsPut() throws Exception {
    try (IpcClient waiter = IpcClient.connect(SERVER.socket());
        IpcClient writer = IpcClient.connect(SERVER.socket());
        IpcClient observer = IpcClient.connect(SERVER.socket())) {
      long deferredBefore = observer.instanceStatus().deferredRequests();
      CompletableFuture<Long> resolved =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return waiter.getName("later/tensor", true);
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
              });
      // the request is parked on the server (not merely not yet sent) before the name is put
      Deadline.await(
          "the get_name to be deferred",
          Duration.ofSeconds(30),
          () -> observer.instanceStatus().deferredRequests() > deferredBefore);
      assertFalse(resolved.isDone());
      // other connections keep being served while one waits
      assertEquals(3, writer.putBytes(new byte[] {1, 2, 3}).size());
      Tensor stored = Values.putTensor(writer, Tensor.of(new double[] {1.5}));
      writer.persist(stored.id());
      writer.putName(stored.id(), "later/tensor");
      assertEquals(stored.id(), resolved.get(30, TimeUnit.SECONDS));
    }
  }
}
