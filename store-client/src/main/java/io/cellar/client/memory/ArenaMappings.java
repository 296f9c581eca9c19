package io.cellar.client.memory;

import io.cellar.posix.FileCalls;
import io.cellar.protocol.FdAnnouncement;
import io.cellar.protocol.Payload;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * The client's table of server arenas, keyed by the server's {@code store_fd}, and the fd
 * bookkeeping of reference §3.3 ({@link FdAnnouncement}): after a reply with payloads, exactly the
 * {@code store_fd}s of payloads with {@code data_size > 0} that are not yet in the table are due,
 * once each, in payload order; the reply's {@code fd}/{@code fds} announcement must name the same
 * set.
 *
 * <p>Each arena is mapped once per access mode and the mappings live until {@link #close()}, which
 * unmaps them (every view handed out becomes unusable) and closes the received fds. Not
 * thread-safe: the client calls it under its lock.
 */
public final class ArenaMappings implements AutoCloseable {
  private final Arena arena = Arena.ofShared();
  private final Map<Integer, ArenaMapping> byStoreFd = new HashMap<>();

  /** An empty table. */
  public ArenaMappings() {}

  /**
   * The {@code store_fd}s whose fds the server sends after a reply carrying these payloads ({@link
   * FdAnnouncement#due}): in payload order, those with {@code data_size > 0} not yet in the table,
   * each once.
   *
   * @param payloads the reply's payloads, in reply order
   * @return the fds due, in the order they arrive
   */
  public int[] dueStoreFds(Collection<Payload> payloads) {
    return FdAnnouncement.due(payloads, byStoreFd::containsKey);
  }

  /**
   * Records the fd received for an arena; the table owns it from now on.
   *
   * @param storeFd the server's key
   * @param fd the received fd
   * @param mapSize the arena's {@code map_size}
   * @throws IOException when the arena is too small to map, or the key is already known (the fd is
   *     then closed)
   */
  public void add(int storeFd, int fd, long mapSize) throws IOException {
    if (byStoreFd.containsKey(storeFd)) {
      FileCalls.closeQuietly(fd);
      throw new IOException("vineyardd sent arena " + storeFd + " twice");
    }
    byStoreFd.put(storeFd, new ArenaMapping(storeFd, fd, mapSize));
  }

  /**
   * Whether an arena's fd was received.
   *
   * @param storeFd the server's key
   * @return true once {@link #add} recorded it
   */
  public boolean contains(int storeFd) {
    return byStoreFd.containsKey(storeFd);
  }

  /**
   * The arena behind a key.
   *
   * @param storeFd the server's key
   * @return the mapping record, or null
   */
  public ArenaMapping get(int storeFd) {
    return byStoreFd.get(storeFd);
  }

  /**
   * The arenas known so far.
   *
   * @return an unmodifiable view
   */
  public Collection<ArenaMapping> all() {
    return Collections.unmodifiableCollection(byStoreFd.values());
  }

  /**
   * A read-only view of a sealed blob's bytes, inside this client's mapping of its arena.
   *
   * @param payload the blob's payload
   * @return a read-only segment of {@code data_size} bytes, valid until {@link #close()}
   * @throws IOException when the arena is unknown, cannot be mapped, or the blob lies outside it
   */
  public MemorySegment readView(Payload payload) throws IOException {
    if (payload.dataSize() == 0) {
      return MemorySegment.NULL;
    }
    ArenaMapping mapping = require(payload);
    return mapping.forReading(arena).asSlice(payload.dataOffset(), payload.dataSize()).asReadOnly();
  }

  /**
   * A writable view of a blob this client created.
   *
   * @param payload the blob's payload
   * @return a segment of {@code data_size} bytes, valid until {@link #close()}
   * @throws IOException when the arena is unknown, cannot be mapped, or the blob lies outside it
   */
  public MemorySegment writeView(Payload payload) throws IOException {
    if (payload.dataSize() == 0) {
      return MemorySegment.NULL;
    }
    ArenaMapping mapping = require(payload);
    return mapping.readWrite(arena).asSlice(payload.dataOffset(), payload.dataSize());
  }

  private ArenaMapping require(Payload payload) throws IOException {
    ArenaMapping mapping = byStoreFd.get(payload.storeFd());
    if (mapping == null) {
      throw new IOException(
          "blob "
              + Long.toUnsignedString(payload.objectId(), 16)
              + " lies in arena "
              + payload.storeFd()
              + " whose fd this client never received");
    }
    if (payload.dataOffset() < 0 || payload.dataOffset() + payload.dataSize() > mapping.length()) {
      throw new IOException(
          "blob at offset "
              + payload.dataOffset()
              + " size "
              + payload.dataSize()
              + " lies outside the mapped "
              + mapping.length()
              + " bytes of arena "
              + payload.storeFd());
    }
    return mapping;
  }

  /** Unmaps every arena and closes every received fd; idempotent. */
  @Override
  public void close() {
    if (arena.scope().isAlive()) {
      arena.close();
    }
    for (ArenaMapping mapping : byStoreFd.values()) {
      mapping.closeFd();
    }
    byStoreFd.clear();
  }
}
