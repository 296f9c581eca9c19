package io.cellar.bench;

import io.cellar.core.alloc.BestFitAllocator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One allocate plus one free on a {@link BestFitAllocator} that already holds 10,000 live blocks
 * with holes between them (so both of its ordered indexes are populated), for sizes 64 B to 64 MiB.
 * The allocator hands out numbers only; no memory is touched.
 *
 * <p>Single-threaded: one allocator per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class AllocatorBenchmark {
  /** Request size in bytes. */
  @Param({"64", "4096", "65536", "1048576", "67108864"})
  public long size;

  private BestFitAllocator allocator;

  /** Builds the fragmented allocator. */
  @Setup
  public void setUp() {
    allocator = new BestFitAllocator(64, 64L << 30, 64L << 30);
    Random rnd = new Random(42);
    long[] offsets = new long[20_000];
    for (int i = 0; i < offsets.length; i++) {
      offsets[i] = allocator.allocate(64 + rnd.nextInt(256 * 1024));
    }
    for (int i = 0; i < offsets.length; i += 2) {
      allocator.free(offsets[i]);
    }
  }

  /**
   * Allocates and frees one block.
   *
   * @return the offset, so the call is not optimised away
   */
  @Benchmark
  public long allocateFree() {
    long offset = allocator.allocate(size);
    allocator.free(offset);
    return offset;
  }
}
