package io.cellar.core.id;

import io.cellar.protocol.ObjectIds;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Generates object ids, signatures and blob ids with the reference layout ({@code
 * IDGenerator::GenerateID}, reference §4.1):
 *
 * <pre>
 *   63  62                         22 21        12 11          0
 *  +---+-----------------------------+------------+-------------+
 *  | B | milliseconds since epoch    | instance   | sequence    |
 *  |   | (low 41 bits)               | (10 bits)  | (12 bits)   |
 *  +---+-----------------------------+------------+-------------+
 * </pre>
 *
 * B is clear for object ids and signatures and set for blob ids, whose instance field is 0.
 *
 * <p>Unlike the reference, the (millisecond, sequence) pair is one atomic counter that never goes
 * back: when the 12-bit sequence wraps within a millisecond the generator moves on to the next
 * millisecond instead of repeating, so ids from one generator never repeat (until the 41-bit
 * millisecond field wraps, in the year 2039 plus 69 years of clock skew).
 *
 * <p>Thread-safe and lock-free.
 */
public final class IdGenerator {
  /** Mask of the millisecond field before shifting: 41 bits. */
  public static final long MILLIS_MASK = 0x1FFFFFFFFFFL;

  /** Mask of the instance field before shifting: 10 bits. */
  public static final long INSTANCE_MASK = 0x3FFL;

  /** Mask of the sequence field: 12 bits. */
  public static final long SEQUENCE_MASK = 0xFFFL;

  /** Bit position of the millisecond field. */
  public static final int MILLIS_SHIFT = 22;

  /** Bit position of the instance field. */
  public static final int INSTANCE_SHIFT = 12;

  private static final int SEQUENCE_BITS = 12;

  private final long instanceBits;
  private final LongSupplier clockMillis;

  /** Last issued {@code millis << 12 | sequence}; only grows. */
  private final AtomicLong last = new AtomicLong();

  /**
   * A generator for an instance, on the system clock.
   *
   * @param instanceId the instance id; its low 10 bits go into object ids and signatures
   */
  public IdGenerator(long instanceId) {
    this(instanceId, System::currentTimeMillis);
  }

  /**
   * A generator for an instance on a given clock (tests use a fixed clock).
   *
   * @param instanceId the instance id; its low 10 bits go into object ids and signatures
   * @param clockMillis milliseconds since the epoch; called once per id, from any thread
   */
  public IdGenerator(long instanceId, LongSupplier clockMillis) {
    this.instanceBits = (instanceId & INSTANCE_MASK) << INSTANCE_SHIFT;
    this.clockMillis = clockMillis;
  }

  /**
   * A new object id: bit 63 clear, this generator's instance.
   *
   * @return an id never returned before by this generator
   */
  public long nextObjectId() {
    return layout(nextTick(), instanceBits) & ~ObjectIds.BLOB_BIT;
  }

  /**
   * A new signature: same layout as an object id.
   *
   * @return a signature never returned before by this generator
   */
  public long nextSignature() {
    return nextObjectId();
  }

  /**
   * A new blob id: bit 63 set, instance field 0. Never {@link ObjectIds#EMPTY_BLOB}.
   *
   * @return a blob id never returned before by this generator
   */
  public long nextBlobId() {
    return layout(nextTick(), 0) | ObjectIds.BLOB_BIT;
  }

  /**
   * The millisecond field of a generated id.
   *
   * @param id an id
   * @return the low 41 bits of the milliseconds since the epoch when it was made
   */
  public static long millisOf(long id) {
    return (id >>> MILLIS_SHIFT) & MILLIS_MASK;
  }

  /**
   * The instance field of a generated id.
   *
   * @param id an id
   * @return the low 10 bits of the instance id that made it
   */
  public static long instanceOf(long id) {
    return (id >>> INSTANCE_SHIFT) & INSTANCE_MASK;
  }

  /**
   * The sequence field of a generated id.
   *
   * @param id an id
   * @return the 12-bit sequence number
   */
  public static long sequenceOf(long id) {
    return id & SEQUENCE_MASK;
  }

  private static long layout(long tick, long instance) {
    long millis = (tick >>> SEQUENCE_BITS) & MILLIS_MASK;
    return millis << MILLIS_SHIFT | instance | (tick & SEQUENCE_MASK);
  }

  private long nextTick() {
    long now = clockMillis.getAsLong() << SEQUENCE_BITS;
    while (true) {
      long prev = last.get();
      long next = Math.max(now, prev + 1);
      if (last.compareAndSet(prev, next)) {
        return next;
      }
    }
  }
}
