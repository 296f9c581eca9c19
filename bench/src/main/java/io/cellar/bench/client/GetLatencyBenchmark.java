package io.cellar.bench.client;

import io.cellar.client.Blob;
import io.cellar.client.BlobWriter;
import io.cellar.client.IpcClient;
import io.cellar.testing.daemon.VineyarddProcess;
import java.io.IOException;
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
 * Get latency of one sealed blob through the Java {@link IpcClient} when the arena is already
 * mapped ({@code get_buffers}, a read of the blob's last byte, {@code release}), for objects from 1
 * KiB to 4 GiB. It must stay flat: the client maps each arena once, so a get is one round trip and
 * never touches the bytes. Sampled: the report reads the p50 ({@code scorePercentiles}); the DESIGN
 * target is p50 <= 20 us at every size. The baseline is {@link #roundTrip}, a {@code get_data} of
 * the same blob's metadata (one round trip, no blob view), in the same run.
 *
 * <p>Single-threaded. The blob is created but not filled (its pages are never touched here), so a 4
 * GiB object costs the server address space, not memory.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class GetLatencyBenchmark {
  /** Object sizes: 1 KiB, 1 MiB, 1 GiB, 4 GiB. */
  @Param({"1024", "1048576", "1073741824", "4294967296"})
  public long getSize;

  private VineyarddProcess server;
  private IpcClient writer;
  private IpcClient client;
  private long id;

  /** Starts the server, creates and seals the blob, and maps it once in the reading client. */
  @Setup(Level.Trial)
  public void setUp() throws IOException, InterruptedException {
    server = BenchDaemons.start((getSize >> 30) + 1 + "G");
    writer = IpcClient.connect(server.socket());
    try (BlobWriter blob = writer.createBlob(getSize)) {
      blob.segment().set(ValueLayout.JAVA_BYTE, getSize - 1, (byte) 7);
      id = blob.seal().id();
    }
    client = IpcClient.connect(server.socket());
    get();
  }

  /** Closes the clients and stops the server. */
  @TearDown(Level.Trial)
  public void tearDown() {
    client.close();
    writer.close();
    server.close();
  }

  /**
   * get_buffers + read the last byte + release.
   *
   * @return the blob's last byte
   */
  @Benchmark
  public byte get() throws IOException {
    Blob blob = client.getBlob(id);
    byte last = blob.segment().get(ValueLayout.JAVA_BYTE, getSize - 1);
    client.release(id);
    return last;
  }

  /**
   * The baseline: one request and reply of the same blob's metadata.
   *
   * @return the size field's length
   */
  @Benchmark
  public int roundTrip() throws IOException {
    return client.getData(id).size();
  }
}
