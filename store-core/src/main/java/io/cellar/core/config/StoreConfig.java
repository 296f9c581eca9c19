package io.cellar.core.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a {@link Store} is set up. Mirrors vineyardd's flags: {@code --size}, {@code
 * --reserve_memory}, {@code --spill_path}, {@code --spill_lower_rate}, {@code --spill_upper_rate},
 * plus Cellar's {@code --hugepages}, {@code --shm_dir} and {@code --prefill_ahead}. The instance id
 * is not here: the metadata backend assigns it when the store registers ({@link
 * io.cellar.core.meta.backend.Registration}).
 *
 * @param memoryLimit the most bytes of blobs held in memory at once ({@code --size})
 * @param reserveMemory pre-fault the whole arena at start ({@code --reserve_memory})
 * @param hugepages try 2 MiB huge pages for the arena, falling back to normal pages
 * @param spillPath where cold blobs go when memory runs short, or null to disable spilling
 * @param spillLowerRate spill down to this fraction of {@code memoryLimit}
 * @param spillUpperRate start spilling when usage reaches this fraction of {@code memoryLimit}
 * @param prefillAhead bytes of never-used memory kept filled with zeroed pages ahead of the
 *     allocations, in the background, so that first writes into fresh memory fault faster (0: off;
 *     ignored with {@code reserveMemory} or hugetlb pages; capped at {@code memoryLimit})
 * @param streamThreshold {@code --stream_threshold}: the share of {@code memoryLimit}, in percent,
 *     above which no stream chunk is allocated for a writer (it waits for its reader to make room)
 * @param shmDir a directory on a tmpfs mounted {@code huge=always} or {@code huge=within_size} to
 *     hold the arena file ({@code --shm_dir}), or null
 * @param idleTrim after this long without client activity, freed memory beyond the prefill window
 *     is given back to the system; null or zero: never (explicit trims still work)
 */
public record StoreConfig(
    long memoryLimit,
    boolean reserveMemory,
    boolean hugepages,
    Path spillPath,
    double spillLowerRate,
    double spillUpperRate,
    long prefillAhead,
    int streamThreshold,
    Path shmDir,
    Duration idleTrim) {

  /** vineyardd's default {@code --spill_lower_rate}. */
  public static final double DEFAULT_SPILL_LOWER_RATE = 0.3;

  /** vineyardd's default {@code --spill_upper_rate}. */
  public static final double DEFAULT_SPILL_UPPER_RATE = 0.8;

  /** vineyardd's default {@code --stream_threshold}, in percent. */
  public static final int DEFAULT_STREAM_THRESHOLD = 80;

  /**
   * {@code vineyardd --prefill_ahead}'s default: 256 MiB (or all of a smaller {@code --size}) ahead
   * of the allocations, refilled as they consume it.
   */
  public static final long DEFAULT_PREFILL_AHEAD = 256L << 20;

  /** The daemon's idle trim: 10 seconds without client activity. */
  public static final Duration DEFAULT_IDLE_TRIM = Duration.ofSeconds(10);

  /**
   * A configuration with the given limit and vineyardd's defaults for everything else (no
   * background prefill: embedded stores and tests fault their own pages).
   *
   * @param memoryLimit the most bytes of blobs held in memory at once
   * @return the configuration
   */
  public static StoreConfig ofLimit(long memoryLimit) {
    return new StoreConfig(
        memoryLimit,
        false,
        false,
        null,
        DEFAULT_SPILL_LOWER_RATE,
        DEFAULT_SPILL_UPPER_RATE,
        0,
        DEFAULT_STREAM_THRESHOLD,
        null,
        null);
  }

  /**
   * This configuration with spilling into a directory.
   *
   * @param dir the spill directory
   * @return a copy with {@code spillPath} set
   */
  public StoreConfig withSpillPath(Path dir) {
    return new StoreConfig(
        memoryLimit,
        reserveMemory,
        hugepages,
        dir,
        spillLowerRate,
        spillUpperRate,
        prefillAhead,
        streamThreshold,
        shmDir,
        idleTrim);
  }

  /**
   * This configuration with a background prefill window.
   *
   * @param bytes see {@code prefillAhead}
   * @return a copy with {@code prefillAhead} set
   */
  public StoreConfig withPrefillAhead(long bytes) {
    return new StoreConfig(
        memoryLimit,
        reserveMemory,
        hugepages,
        spillPath,
        spillLowerRate,
        spillUpperRate,
        bytes,
        streamThreshold,
        shmDir,
        idleTrim);
  }

  /**
   * This configuration with another stream threshold.
   *
   * @param percent see {@code streamThreshold}
   * @return a copy with {@code streamThreshold} set
   */
  public StoreConfig withStreamThreshold(int percent) {
    return new StoreConfig(
        memoryLimit,
        reserveMemory,
        hugepages,
        spillPath,
        spillLowerRate,
        spillUpperRate,
        prefillAhead,
        percent,
        shmDir,
        idleTrim);
  }

  /**
   * This configuration with the arena file on a huge tmpfs.
   *
   * @param dir see {@code shmDir}
   * @return a copy with {@code shmDir} set
   */
  public StoreConfig withShmDir(Path dir) {
    return new StoreConfig(
        memoryLimit,
        reserveMemory,
        hugepages,
        spillPath,
        spillLowerRate,
        spillUpperRate,
        prefillAhead,
        streamThreshold,
        dir,
        idleTrim);
  }

  /**
   * This configuration with an idle trim.
   *
   * @param after see {@code idleTrim}
   * @return a copy with {@code idleTrim} set
   */
  public StoreConfig withIdleTrim(Duration after) {
    return new StoreConfig(
        memoryLimit,
        reserveMemory,
        hugepages,
        spillPath,
        spillLowerRate,
        spillUpperRate,
        prefillAhead,
        streamThreshold,
        shmDir,
        after);
  }
}
