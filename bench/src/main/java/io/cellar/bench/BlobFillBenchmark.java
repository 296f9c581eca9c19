package io.cellar.bench;

import io.cellar.core.blob.BlobStore;
import io.cellar.core.config.StoreConfig;
import io.cellar.core.id.IdGenerator;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Filling a 1 GiB blob (create, copy from a source segment, seal, then release and delete so the
 * next fill reuses the same, already faulted memory: the warm put) against a plain {@link
 * MemorySegment#copy} of the same bytes into a native segment that was touched before. The ratio
 * {@code blobFill / plainCopy} is the store's overhead on a warm put.
 *
 * <p>Single-threaded. Needs about 3 GiB of memory (source, destination, arena).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class BlobFillBenchmark {
  private static final long SIZE = 1L << 30;
  private static final long OWNER = 1;

  private Arena arena;
  private MemorySegment source;
  private MemorySegment plain;
  private BlobStore store;

  /** Allocates and touches the source, the plain destination and the store's memory once. */
  @Setup(Level.Trial)
  public void setUp() {
    arena = Arena.ofShared();
    source = arena.allocate(SIZE, 64);
    for (long i = 0; i < SIZE; i += 4096) {
      source.set(ValueLayout.JAVA_LONG, i, i * 0x9E3779B97F4A7C15L);
    }
    plain = arena.allocate(SIZE, 64);
    plain.fill((byte) 1);
    store = new BlobStore(StoreConfig.ofLimit(SIZE + (64L << 20)), new IdGenerator(0));
    blobFill();
  }

  /** Closes the store and frees the segments. */
  @TearDown(Level.Trial)
  public void tearDown() {
    store.close();
    arena.close();
  }

  /**
   * Create, copy, seal, then release and delete (so memory is reused warm).
   *
   * @return the blob id
   */
  @Benchmark
  public long blobFill() {
    long id = store.create(OWNER, SIZE).objectId();
    MemorySegment.copy(source, 0, store.segment(id), 0, SIZE);
    store.seal(OWNER, id);
    store.release(OWNER, id);
    store.drop(id);
    return id;
  }

  /**
   * The baseline: copy the same bytes into a warm native segment.
   *
   * @return a byte of the destination
   */
  @Benchmark
  public byte plainCopy() {
    MemorySegment.copy(source, 0, plain, 0, SIZE);
    return plain.get(ValueLayout.JAVA_BYTE, SIZE - 1);
  }
}
