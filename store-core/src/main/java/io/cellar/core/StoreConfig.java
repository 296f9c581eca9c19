package io.cellar.core;

import java.nio.file.Path;

/**
 * How a {@link Store} is set up. Mirrors vineyardd's flags: {@code --size}, {@code
 * --reserve_memory}, {@code --spill_path}, {@code --spill_lower_rate}, {@code --spill_upper_rate},
 * plus Cellar's {@code --hugepages}.
 *
 * @param memoryLimit the most bytes of blobs held in memory at once ({@code --size})
 * @param reserveMemory pre-fault the whole arena at start ({@code --reserve_memory})
 * @param hugepages try 2 MiB huge pages for the arena, falling back to normal pages
 * @param spillPath where cold blobs go when memory runs short, or null to disable spilling
 * @param spillLowerRate spill down to this fraction of {@code memoryLimit}
 * @param spillUpperRate start spilling when usage reaches this fraction of {@code memoryLimit}
 * @param instanceId this store's instance id (0 with local metadata)
 */
public record StoreConfig(
    long memoryLimit,
    boolean reserveMemory,
    boolean hugepages,
    Path spillPath,
    double spillLowerRate,
    double spillUpperRate,
    long instanceId) {

  /** vineyardd's default {@code --spill_lower_rate}. */
  public static final double DEFAULT_SPILL_LOWER_RATE = 0.3;

  /** vineyardd's default {@code --spill_upper_rate}. */
  public static final double DEFAULT_SPILL_UPPER_RATE = 0.8;

  /**
   * A configuration with the given limit and vineyardd's defaults for everything else.
   *
   * @param memoryLimit the most bytes of blobs held in memory at once
   * @return the configuration
   */
  public static StoreConfig ofLimit(long memoryLimit) {
    return new StoreConfig(
        memoryLimit, false, false, null, DEFAULT_SPILL_LOWER_RATE, DEFAULT_SPILL_UPPER_RATE, 0);
  }

  /**
   * This configuration with spilling into a directory.
   *
   * @param dir the spill directory
   * @return a copy with {@code spillPath} set
   */
  public StoreConfig withSpillPath(Path dir) {
    return new StoreConfig(
        memoryLimit, reserveMemory, hugepages, dir, spillLowerRate, spillUpperRate, instanceId);
  }
}
