package io.cellar.core.blob;

import io.cellar.protocol.ObjectIds;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * What a blob store still holds for its owners, as a leak report lists it (the way Apache Arrow's
 * allocator lists outstanding buffers on close): blobs some owner still references, and blobs
 * created and never sealed. Sealed blobs nobody references are stored data, not leaks.
 *
 * <p>Immutable; the arrays inside are not to be changed.
 *
 * @param referenced blobs still referenced, by blob id, each with the owners holding it
 * @param unsealed blobs still unsealed, by blob id, each with its creator as its one owner
 */
public record OutstandingBlobs(List<Held> referenced, List<Held> unsealed) {
  /** Nothing outstanding. */
  public static final OutstandingBlobs NONE = new OutstandingBlobs(List.of(), List.of());

  /**
   * One blob still held.
   *
   * @param blobId the blob
   * @param size its length in bytes
   * @param owners the owners holding it, ascending
   */
  public record Held(long blobId, long size, long[] owners) {
    @Override
    public String toString() {
      return ObjectIds.toText(blobId)
          + " ("
          + size
          + " bytes) held by owner"
          + (owners.length == 1 ? " " : "s ")
          + LongStream.of(owners).mapToObj(Long::toString).collect(Collectors.joining(", "));
    }
  }

  /**
   * Whether nothing is outstanding.
   *
   * @return true when no blob is referenced and none is unsealed
   */
  public boolean isEmpty() {
    return referenced.isEmpty() && unsealed.isEmpty();
  }

  /**
   * The report as text, one line per blob.
   *
   * @return for example {@code "1 blob still referenced: o8000… (4096 bytes) held by owner 3"}
   */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    section(out, referenced, " still referenced");
    section(out, unsealed, " still unsealed");
    return out.isEmpty() ? "no blob outstanding" : out.toString();
  }

  private static void section(StringBuilder out, List<Held> held, String what) {
    if (held.isEmpty()) {
      return;
    }
    if (!out.isEmpty()) {
      out.append('\n');
    }
    out.append(held.size()).append(held.size() == 1 ? " blob" : " blobs").append(what).append(':');
    for (Held h : held) {
      out.append("\n  ").append(h);
    }
  }
}
