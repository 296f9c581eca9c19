package io.cellar.bench.client;

import io.cellar.client.Blob;
import io.cellar.client.BlobWriter;
import io.cellar.client.IpcClient;
import io.cellar.client.RpcClient;
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
 * Blob put and get over the RPC (TCP) port through the Java {@link RpcClient} on 127.0.0.1: {@link
 * #rpcPut} sends the bytes inline ({@code create_remote_buffer}) then drops the blob; {@link
 * #rpcGet} pulls a sealed blob's bytes ({@code get_remote_buffers}). Throughput is {@code rpcSize /
 * score}. Baseline in the same run: {@link #ipcPut}, the same put through the IPC socket (one copy
 * into shared memory).
 *
 * <p>Single-threaded. Loopback only.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class RpcThroughputBenchmark {
  /** Bytes per blob: 1 MiB, 16 MiB, 256 MiB. */
  @Param({"1048576", "16777216", "268435456"})
  public long rpcSize;

  private VineyarddProcess server;
  private RpcClient rpc;
  private IpcClient ipc;
  private Arena arena;
  private MemorySegment source;
  private long sealed;

  /** Starts the server, connects both clients, seals the blob {@link #rpcGet} reads. */
  @Setup(Level.Trial)
  public void setUp() throws IOException, InterruptedException {
    server = BenchDaemons.start(Math.max(1, 3 * rpcSize >> 30) + 1 + "G");
    rpc = RpcClient.connect("127.0.0.1", server.rpcPort());
    ipc = IpcClient.connect(server.socket());
    arena = Arena.ofShared();
    source = arena.allocate(rpcSize, 64);
    for (long i = 0; i + 8 <= rpcSize; i += 4096) {
      source.set(ValueLayout.JAVA_LONG_UNALIGNED, i, i * 0x9E3779B97F4A7C15L);
    }
    try (BlobWriter writer = ipc.createBlob(rpcSize)) {
      MemorySegment.copy(source, 0, writer.segment(), 0, rpcSize);
      sealed = writer.seal().id();
    }
  }

  /** Closes the clients, stops the server, frees the source. */
  @TearDown(Level.Trial)
  public void tearDown() {
    rpc.close();
    ipc.close();
    server.close();
    arena.close();
  }

  /**
   * RPC put: fill the client-side buffer, send it inline, then drop the blob.
   *
   * @return the blob id
   */
  @Benchmark
  public long rpcPut() throws IOException {
    long id;
    try (BlobWriter writer = rpc.createBlob(rpcSize)) {
      MemorySegment.copy(source, 0, writer.segment(), 0, rpcSize);
      id = writer.seal().id();
    }
    rpc.dropBlob(id); // a remote create leaves no reference on the connection
    return id;
  }

  /**
   * RPC get: pull the sealed blob's bytes.
   *
   * @return its last byte
   */
  @Benchmark
  public byte rpcGet() throws IOException {
    Blob blob = rpc.getBlob(sealed);
    byte last = blob.segment().get(ValueLayout.JAVA_BYTE, rpcSize - 1);
    rpc.release(sealed);
    return last;
  }

  /**
   * The baseline: the same put through the IPC socket.
   *
   * @return the blob id
   */
  @Benchmark
  public long ipcPut() throws IOException {
    long id;
    try (BlobWriter writer = ipc.createBlob(rpcSize)) {
      MemorySegment.copy(source, 0, writer.segment(), 0, rpcSize);
      id = writer.seal().id();
    }
    ipc.release(id);
    ipc.dropBlob(id);
    return id;
  }
}
