package io.cellar.core;

/**
 * A snapshot of a store's counters, as {@code instance_status} reports them.
 *
 * @param instanceId this store's instance id
 * @param memoryUsage bytes of blobs held in memory now
 * @param memoryLimit the configured limit in bytes
 * @param objects number of metadata objects
 * @param blobs number of blobs (sealed or not, in memory or spilled)
 * @param spilledBlobs number of blobs currently in spill files
 * @param memoryBacking what holds the shared memory: {@code hugetlb}, {@code memfd_thp}, {@code
 *     huge_tmpfs} or {@code memfd}
 */
public record StoreStatus(
    long instanceId,
    long memoryUsage,
    long memoryLimit,
    long objects,
    long blobs,
    long spilledBlobs,
    String memoryBacking) {}
