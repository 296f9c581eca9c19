package io.cellar.bench.client;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.client.Blob;
import io.cellar.client.BlobWriter;
import io.cellar.client.IpcClient;
import io.cellar.testing.daemon.VineyarddProcess;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Small objects per second through the Java {@link IpcClient}, one connection per JMH thread, for 1
 * and 4 clients: a put is {@code create_buffer} of 4 KiB + a 4 KiB copy + {@code seal} + {@code
 * create_data} of an object holding that blob, the last two sent together ({@link
 * IpcClient#sealAndCreateData}) with the {@code create_buffer} of the next put's blob (made ahead,
 * {@link IpcClient#AHEAD_MAX_BYTES}): one round trip per put once warm; {@link
 * #putOneClientStepByStep} waits for the seal, then for create_data, two round trips. A get is
 * {@code get_data} of such an object. The DESIGN targets for one client: >= 50k puts/s, >= 100k
 * gets/s. The score is the total over all threads (ops/s). Objects put during an iteration are
 * released and deleted after it (not timed).
 *
 * <p>The server is one process for the trial ({@link Server}); each thread owns its {@link Client}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SmallObjectsBenchmark {
  static final int SIZE = 4096;

  /** The server process shared by all threads of a trial. */
  @State(Scope.Benchmark)
  public static class Server {
    VineyarddProcess process;

    /** Starts it. */
    @Setup(Level.Trial)
    public void start() throws IOException, InterruptedException {
      process = BenchDaemons.start("4G");
    }

    /** Stops it. */
    @TearDown(Level.Trial)
    public void stop() {
      process.close();
    }
  }

  /** One client connection per thread, with the objects it put and one object to get. */
  @State(Scope.Thread)
  public static class Client {
    IpcClient client;
    Arena arena;
    MemorySegment source;
    long readable;
    final List<Long> blobs = new ArrayList<>();
    final List<Long> objects = new ArrayList<>();

    /** Connects and puts the object the get benchmarks read. */
    @Setup(Level.Trial)
    public void connect(Server server) throws IOException {
      client = IpcClient.connect(server.process.socket());
      arena = Arena.ofConfined();
      source = arena.allocate(SIZE, 64);
      source.fill((byte) 3);
      readable = put(this);
      blobs.clear(); // kept for the whole trial, not deleted per iteration
      objects.clear();
    }

    /** Releases and deletes what this thread put during the iteration (not timed). */
    @TearDown(Level.Iteration)
    public void clean() throws IOException {
      for (long blob : blobs) {
        client.release(blob);
      }
      if (!objects.isEmpty()) {
        client.delete(objects, true, true);
      }
      blobs.clear();
      objects.clear();
    }

    /** Closes the connection. */
    @TearDown(Level.Trial)
    public void close() {
      client.close();
      arena.close();
    }
  }

  /**
   * create_buffer (made ahead by the previous put) + copy, then seal and create_data sent together
   * with the next create_buffer (one round trip).
   */
  static long put(Client c) throws IOException {
    long[] blobId = new long[1];
    long id;
    try (BlobWriter writer = c.client.createBlob(SIZE)) {
      MemorySegment.copy(c.source, 0, writer.segment(), 0, SIZE);
      id =
          c.client
              .sealAndCreateData(
                  List.of(writer),
                  blobs -> {
                    blobId[0] = blobs.get(0).id();
                    return smallObject(blobs.get(0));
                  })
              .id();
    }
    c.blobs.add(blobId[0]);
    c.objects.add(id);
    return id;
  }

  /**
   * create_buffer (made ahead) + copy, seal (with the next create_buffer), create_data: two round
   * trips, one after the other.
   */
  static long putStepByStep(Client c) throws IOException {
    Blob blob;
    try (BlobWriter writer = c.client.createBlob(SIZE)) {
      MemorySegment.copy(c.source, 0, writer.segment(), 0, SIZE);
      blob = writer.seal();
    }
    long id = c.client.createData(smallObject(blob)).id();
    c.blobs.add(blob.id());
    c.objects.add(id);
    return id;
  }

  private static ObjectNode smallObject(Blob blob) {
    ObjectNode meta = JsonNodeFactory.instance.objectNode();
    meta.put("typename", "cellar::bench::Small");
    meta.put("nbytes", SIZE);
    meta.set("buffer_", blob.metadata());
    return meta;
  }

  /**
   * One client: create_buffer + copy + seal + create_data.
   *
   * @param c this thread's client
   * @return the new object's id
   */
  @Benchmark
  @Threads(1)
  public long putOneClient(Client c) throws IOException {
    return put(c);
  }

  /**
   * One client, each request waiting for its reply: create_buffer + copy, seal, create_data.
   *
   * @param c this thread's client
   * @return the new object's id
   */
  @Benchmark
  @Threads(1)
  public long putOneClientStepByStep(Client c) throws IOException {
    return putStepByStep(c);
  }

  /**
   * Four clients at once: create_buffer + copy + seal + create_data each.
   *
   * @param c this thread's client
   * @return the new object's id
   */
  @Benchmark
  @Threads(4)
  public long putFourClients(Client c) throws IOException {
    return put(c);
  }

  /**
   * One client: get_data of a small object.
   *
   * @param c this thread's client
   * @return the metadata's field count
   */
  @Benchmark
  @Threads(1)
  public int getOneClient(Client c) throws IOException {
    return c.client.getData(c.readable).size();
  }

  /**
   * Four clients at once: get_data of a small object each.
   *
   * @param c this thread's client
   * @return the metadata's field count
   */
  @Benchmark
  @Threads(4)
  public int getFourClients(Client c) throws IOException {
    return c.client.getData(c.readable).size();
  }
}
