package io.cellar.bench.client;

import io.cellar.client.BlobWriter;
import io.cellar.client.IpcClient;
import io.cellar.testing.daemon.VineyarddProcess;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A warm put through the Java {@link IpcClient} to a {@code bin/vineyardd} process ({@code
 * create_buffer}, one copy from a prepared source into the blob's shared memory, {@code seal}, then
 * {@code release} and {@code drop_buffer} so the next put reuses memory the server touched before)
 * against the baseline {@link #plainCopy}: the same bytes copied into a native segment touched
 * before. Throughput is {@code putSize / score}; the DESIGN target is put within 0.9x of a plain
 * copy's speed, that is {@code put / plainCopy <= 1.11}.
 *
 * <p>Single-threaded. Memory: the source and the plain destination in this JVM, the blob in the
 * server (3 x putSize).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PutThroughputBenchmark {
  /** Bytes per put: 1 MiB, 16 MiB, 256 MiB, 1 GiB. */
  @Param({"1048576", "16777216", "268435456", "1073741824"})
  public long putSize;

  private VineyarddProcess server;
  private IpcClient client;
  private Arena arena;
  private MemorySegment source;
  private MemorySegment plain;

  /**
   * Starts the server, connects, prepares the source and the baseline's destination, and does one
   * put so the server's memory is touched before the measurement.
   */
  @Setup(Level.Trial)
  public void setUp() throws IOException, InterruptedException {
    server = BenchDaemons.start(Math.max(1, 2 * putSize >> 30) + 1 + "G");
    client = IpcClient.connect(server.socket());
    arena = Arena.ofShared();
    source = arena.allocate(putSize, 64);
    for (long i = 0; i + 8 <= putSize; i += 4096) {
      source.set(ValueLayout.JAVA_LONG_UNALIGNED, i, i * 0x9E3779B97F4A7C15L);
    }
    plain = arena.allocate(putSize, 64);
    plain.fill((byte) 1);
    put();
  }

  /** Closes the client, stops the server, frees the segments. */
  @TearDown(Level.Trial)
  public void tearDown() {
    client.close();
    server.close();
    arena.close();
  }

  /**
   * create_buffer + copy + seal, then release + drop_buffer.
   *
   * @return the blob id
   */
  @Benchmark
  public long put() throws IOException {
    long id;
    try (BlobWriter writer = client.createBlob(putSize)) {
      MemorySegment.copy(source, 0, writer.segment(), 0, putSize);
      id = writer.seal().id();
    }
    client.release(id);
    client.dropBlob(id);
    return id;
  }

  /**
   * The baseline: the same bytes into a warm native segment.
   *
   * @return the last byte of the destination
   */
  @Benchmark
  public byte plainCopy() {
    MemorySegment.copy(source, 0, plain, 0, putSize);
    return plain.get(ValueLayout.JAVA_BYTE, putSize - 1);
  }
}
