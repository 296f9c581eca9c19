package io.cellar.core.spill;

import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory that spilled blobs go to, one file per blob in the {@link SpillFileDescriptor}
 * layout. It removes the files it wrote when they are {@link #delete(long) deleted}, and all that
 * remain on {@link #close()}.
 *
 * <p><b>Threading.</b> Thread-safe for different blob ids; calls for the same id must not overlap
 * (the blob store serialises them). Calls do blocking file I/O.
 */
public final class SpillDirectory implements SpillFiles {
  private static final long CHUNK = 1L << 30;
  private static final Logger LOG = LoggerFactory.getLogger(SpillDirectory.class);

  private final Path dir;
  private final Set<Long> files = ConcurrentHashMap.newKeySet();

  private SpillDirectory(Path dir) {
    this.dir = dir;
  }

  /**
   * Opens a spill directory, creating it if missing, and checks that it is writable by creating and
   * removing a probe file.
   *
   * @param dir the directory
   * @return the open directory
   * @throws CellarException {@code IO_ERROR} (4) naming the directory when it cannot be written
   */
  public static SpillDirectory open(Path dir) {
    try {
      Files.createDirectories(dir);
      Path probe = Files.createTempFile(dir, ".cellar-spill-probe", "");
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      throw new CellarException(
          StatusCode.IO_ERROR, "spill path " + dir + " is not writable: " + e, e);
    }
    return new SpillDirectory(dir);
  }

  /**
   * The directory.
   *
   * @return its path
   */
  public Path path() {
    return dir;
  }

  /**
   * The file a blob spills to.
   *
   * @param blobId the blob
   * @return {@code <dir>/<unsigned decimal id>}
   */
  public Path fileOf(long blobId) {
    return dir.resolve(SpillFileDescriptor.fileName(blobId));
  }

  /**
   * Writes a blob's bytes to its spill file, replacing any earlier one. On failure the partial file
   * is removed.
   *
   * @param blobId the blob
   * @param data its bytes; only read
   * @throws CellarException {@code IO_ERROR} when the file cannot be written
   */
  @Override
  public void write(long blobId, MemorySegment data) {
    Path file = fileOf(blobId);
    files.add(blobId);
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer header =
          ByteBuffer.allocate(SpillFileDescriptor.HEADER_LENGTH)
              .order(SpillFileDescriptor.BYTE_ORDER);
      header.putLong(SpillFileDescriptor.ID_OFFSET, blobId);
      header.putLong(SpillFileDescriptor.SIZE_OFFSET, data.byteSize());
      writeFully(ch, header);
      for (long pos = 0; pos < data.byteSize(); pos += CHUNK) {
        long n = Math.min(CHUNK, data.byteSize() - pos);
        writeFully(ch, data.asSlice(pos, n).asByteBuffer());
      }
    } catch (IOException e) {
      delete(blobId);
      throw new CellarException(
          StatusCode.IO_ERROR, "cannot spill blob " + Long.toUnsignedString(blobId) + ": " + e, e);
    }
  }

  /**
   * Reads a blob's bytes back from its spill file, checking the header.
   *
   * @param blobId the blob
   * @param dest where the bytes go; its length must equal the spilled size
   * @throws CellarException {@code IO_ERROR} when the file is missing, short or for another blob
   */
  @Override
  public void read(long blobId, MemorySegment dest) {
    Path file = fileOf(blobId);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer header =
          ByteBuffer.allocate(SpillFileDescriptor.HEADER_LENGTH)
              .order(SpillFileDescriptor.BYTE_ORDER);
      readFully(ch, header, file);
      long id = header.getLong(SpillFileDescriptor.ID_OFFSET);
      long size = header.getLong(SpillFileDescriptor.SIZE_OFFSET);
      if (id != blobId
          || size != dest.byteSize()
          || ch.size() != SpillFileDescriptor.fileLength(size)) {
        throw new IOException(
            "spill file "
                + file
                + " holds blob "
                + Long.toUnsignedString(id)
                + " of "
                + size
                + " bytes in "
                + ch.size()
                + " bytes, expected "
                + dest.byteSize()
                + " bytes");
      }
      for (long pos = 0; pos < size; pos += CHUNK) {
        long n = Math.min(CHUNK, size - pos);
        readFully(ch, dest.asSlice(pos, n).asByteBuffer(), file);
      }
    } catch (IOException e) {
      throw new CellarException(
          StatusCode.IO_ERROR, "cannot reload blob " + Long.toUnsignedString(blobId) + ": " + e, e);
    }
  }

  /**
   * Removes a blob's spill file if there is one.
   *
   * @param blobId the blob
   */
  @Override
  public void delete(long blobId) {
    files.remove(blobId);
    try {
      Files.deleteIfExists(fileOf(blobId));
    } catch (IOException e) {
      LOG.warn("cannot remove spill file {}: {}", fileOf(blobId), e.toString());
    }
  }

  /**
   * Whether this directory holds a spill file it wrote for a blob.
   *
   * @param blobId the blob
   * @return true when spilled here and not deleted
   */
  public boolean contains(long blobId) {
    return files.contains(blobId);
  }

  /**
   * The number of spill files written and not yet deleted.
   *
   * @return the count
   */
  public int fileCount() {
    return files.size();
  }

  /** Removes every spill file this directory wrote (not the directory itself). */
  @Override
  public void close() {
    for (Long id : Set.copyOf(files)) {
      delete(id);
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, Path file) throws IOException {
    while (buf.hasRemaining()) {
      if (ch.read(buf) < 0) {
        throw new IOException("spill file " + file + " is shorter than its header says");
      }
    }
  }
}
