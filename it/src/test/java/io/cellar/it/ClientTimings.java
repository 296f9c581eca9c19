package io.cellar.it;

import io.cellar.client.Blob;
import io.cellar.client.BlobWriter;
import io.cellar.client.IpcClient;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A quick measurement of the Java IPC client against a running server (not a test; the real
 * benchmarks live in {@code bench/}): put throughput (create + one copy from a prepared source +
 * seal) and get latency (get_buffers of an already mapped arena) for a blob size.
 *
 * <p>Usage: {@code ClientTimings SOCKET BYTES ROUNDS}. Prints cold put (fresh memory), warm put
 * (memory reused after delete) and get percentiles (20000 gets after 5000 warm-up gets).
 */
public final class ClientTimings {
  private ClientTimings() {}

  /**
   * Entry point.
   *
   * @param args socket, blob size, rounds
   */
  public static void main(String[] args) throws Exception {
    long size = Long.parseLong(args[1]);
    int rounds = Integer.parseInt(args[2]);
    try (IpcClient client = IpcClient.connect(Path.of(args[0]));
        Arena arena = Arena.ofConfined()) {
      MemorySegment source = arena.allocate(size, 64);
      BytePattern.fill(source, 1);
      double[] putSeconds = new double[rounds];
      long lastId = 0;
      for (int r = 0; r < rounds; r++) {
        long start = System.nanoTime();
        try (BlobWriter writer = client.createBlob(size)) {
          MemorySegment.copy(source, 0, writer.segment(), 0, size);
          lastId = writer.seal().id();
        }
        putSeconds[r] = (System.nanoTime() - start) / 1e9;
        if (r < rounds - 1) {
          client.release(lastId); // seal gave this connection a reference; Cellar frees on the last
          client.dropBlob(lastId);
        }
      }
      for (int i = 0; i < 5000; i++) { // warm-up, not measured
        client.getBlob(lastId);
        client.release(lastId);
      }
      long[] getNanos = new long[20_000];
      for (int i = 0; i < getNanos.length; i++) {
        long start = System.nanoTime();
        Blob blob = client.getBlob(lastId);
        blob.segment().get(ValueLayout.JAVA_BYTE, size - 1);
        getNanos[i] = System.nanoTime() - start;
        client.release(lastId);
      }
      Arrays.sort(getNanos);
      System.out.printf(
          "size %d: put cold %.2f GB/s (%.3f s), put warm best %.2f GB/s, median %.2f GB/s;"
              + " get p50 %.1f us p99 %.1f us%n",
          size,
          size / putSeconds[0] / 1e9,
          putSeconds[0],
          size / Arrays.stream(putSeconds).skip(1).min().orElse(putSeconds[0]) / 1e9,
          size / median(Arrays.copyOfRange(putSeconds, Math.min(1, rounds - 1), rounds)) / 1e9,
          getNanos[getNanos.length / 2] / 1e3,
          getNanos[getNanos.length * 99 / 100] / 1e3);
      client.dropBlob(lastId); // the get loop's last release dropped the connection's reference
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
