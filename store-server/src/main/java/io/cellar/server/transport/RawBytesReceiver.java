package io.cellar.server.transport;

import io.cellar.server.command.Reply;
import io.cellar.server.protocol.FrameReader;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Receives the raw blob bytes a client sends after the first reply of {@code
 * create_remote_buffer(s)_request} (reference §5): no header, exactly the bytes of each non-empty
 * blob in order, copied from the connection's {@link FrameReader} straight into the blob memory the
 * handler named. The request loop pumps it as bytes arrive and, once every target is full, runs the
 * plan's completion to get the second reply.
 *
 * <p>Not thread-safe: one per connection, used on its event loop only. The target segments belong
 * to the store; they are written here and nowhere else until the second reply.
 */
final class RawBytesReceiver {
  private Reply.Receive plan;
  private int index;
  private long offset;

  /** An idle receiver. */
  RawBytesReceiver() {}

  /**
   * Starts receiving into a plan's targets.
   *
   * @param plan where the bytes go and how to finish
   */
  void start(Reply.Receive plan) {
    this.plan = plan;
    this.index = 0;
    this.offset = 0;
  }

  /**
   * Moves the bytes the reader holds into the targets, as many as are due.
   *
   * @param reader the connection's accumulated bytes; bytes past the last target stay there (the
   *     next request)
   * @return true when every target is full
   */
  boolean pump(FrameReader reader) {
    List<MemorySegment> targets = plan.targets();
    while (index < targets.size() && reader.readableBytes() > 0) {
      MemorySegment target = targets.get(index);
      long want = Math.min(target.byteSize() - offset, ReplyWriter.MAX_SEGMENT_CHUNK);
      offset += reader.readRawInto(target.asSlice(offset, want).asByteBuffer());
      if (offset == target.byteSize()) {
        index++;
        offset = 0;
      }
    }
    return index == targets.size();
  }

  /**
   * Ends the plan once {@link #pump} said it is complete and builds the second reply.
   *
   * @return the second reply
   * @throws RuntimeException what the completion throws (answered as an error by the caller)
   */
  Reply finish() {
    Reply.Receive done = plan;
    plan = null;
    return done.onComplete().get();
  }

  /** Drops the plan (the connection ended mid-upload). */
  void abandon() {
    plan = null;
  }
}
