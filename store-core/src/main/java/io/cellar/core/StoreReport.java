package io.cellar.core;

import io.cellar.core.blob.OutstandingBlobs;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * What a {@link Store} still holds for its users, as its close reports it (the way Apache Arrow's
 * allocator lists what is outstanding): owners never closed, blobs some owner still references
 * (with those owners), and blobs created and never sealed. Stored objects and sealed blobs nobody
 * references are data, not leaks, and are not listed.
 *
 * <p>Immutable; the array is not to be changed.
 *
 * @param openOwners owners opened and not closed, ascending
 * @param blobs the blobs still held
 */
public record StoreReport(long[] openOwners, OutstandingBlobs blobs) {
  /** Nothing outstanding. */
  public static final StoreReport CLEAN = new StoreReport(new long[0], OutstandingBlobs.NONE);

  /**
   * Whether nothing is outstanding.
   *
   * @return true when every owner was closed and no blob is held
   */
  public boolean isClean() {
    return openOwners.length == 0 && blobs.isEmpty();
  }

  /**
   * The report as text, for a log line or an exception.
   *
   * @return for example {@code "1 owner still open: 3\n1 blob still referenced:\n o8000… (4096
   *     bytes) held by owner 3"}, or {@code "nothing outstanding"}
   */
  @Override
  public String toString() {
    if (isClean()) {
      return "nothing outstanding";
    }
    StringBuilder out = new StringBuilder();
    if (openOwners.length > 0) {
      out.append(openOwners.length)
          .append(openOwners.length == 1 ? " owner" : " owners")
          .append(" still open: ")
          .append(
              LongStream.of(openOwners).mapToObj(Long::toString).collect(Collectors.joining(", ")));
    }
    if (!blobs.isEmpty()) {
      if (!out.isEmpty()) {
        out.append('\n');
      }
      out.append(blobs);
    }
    return out.toString();
  }
}
