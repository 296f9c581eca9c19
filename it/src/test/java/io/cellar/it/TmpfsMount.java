package io.cellar.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cellar.posix.Errno;
import io.cellar.posix.MountCalls;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tmpfs mounted on a fresh temporary directory for one test ({@code mount -t tmpfs -o OPTIONS
 * tmpfs DIR}, through the project's own {@link MountCalls}). {@link #close()} unmounts it, removes
 * the directory and fails when the mount is still listed in {@code /proc/self/mountinfo}.
 *
 * <p>Mounting needs root: {@link #mountOrSkip} skips the calling test (a JUnit assumption) when the
 * process is not uid 0 or the kernel refuses the mount (for example {@code huge=always} on a kernel
 * without transparent huge pages for tmpfs), naming the reason.
 *
 * <p>Not thread-safe: one owner, which must stop every process holding a file of the mount (an open
 * fd of an unlinked file keeps a tmpfs busy) before closing it.
 */
final class TmpfsMount implements AutoCloseable {
  private final Path dir;
  private final String options;
  private boolean closed;

  private TmpfsMount(Path dir, String options) {
    this.dir = dir;
    this.options = options;
  }

  /**
   * The effective uid of this process (the owner of {@code /proc/self}).
   *
   * @return the uid
   * @throws IOException when {@code /proc} cannot be read
   */
  static int uid() throws IOException {
    return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
  }

  /**
   * Mounts a tmpfs on a new temporary directory, or skips the calling test when this process is not
   * root or the kernel refuses.
   *
   * @param options the tmpfs options, for example {@code size=512m,huge=always}
   * @return the mount, owned by the caller
   * @throws IOException when the directory cannot be made
   */
  static TmpfsMount mountOrSkip(String options) throws IOException {
    int uid = uid();
    assumeTrue(uid == 0, "mounting a tmpfs needs root (mount(2)); this test runs as uid " + uid);
    Path dir = Files.createTempDirectory("cellar-tmpfs-");
    int errno;
    try {
      errno = MountCalls.mountFilesystem("tmpfs", dir.toString(), "tmpfs", 0, options);
    } finally {
      if (!mountedAt(dir)) {
        Files.deleteIfExists(dir);
      }
    }
    assumeTrue(
        errno == 0,
        () ->
            "mount -t tmpfs -o "
                + options
                + " tmpfs "
                + dir
                + " was refused: "
                + Errno.describe(errno));
    return new TmpfsMount(dir, options);
  }

  /**
   * The mount point.
   *
   * @return the directory, on the tmpfs until {@link #close()}
   */
  Path dir() {
    return dir;
  }

  /**
   * The mount's line of {@code /proc/mounts}, as the kernel reports it.
   *
   * @return for example {@code tmpfs /tmp/cellar-tmpfs-1 tmpfs rw,relatime,size=524288k,huge=always
   *     0 0}, or empty when not mounted
   * @throws IOException when {@code /proc/mounts} cannot be read
   */
  String mountsLine() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
      String[] f = line.split(" ");
      if (f.length >= 2 && f[1].equals(dir.toString())) {
        return line;
      }
    }
    return "";
  }

  /**
   * Whether {@link #dir()} is a mount point now (in {@code /proc/self/mountinfo}).
   *
   * @return true while mounted
   * @throws IOException when {@code /proc/self/mountinfo} cannot be read
   */
  boolean isMounted() throws IOException {
    return mountedAt(dir);
  }

  private static boolean mountedAt(Path dir) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] f = line.split(" ");
      if (f.length >= 5 && f[4].equals(dir.toString())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The bytes of the tmpfs in use ({@code statfs}: blocks minus free blocks): the pages of every
   * file on it, unlinked files that are still open included.
   *
   * @return bytes
   * @throws IOException when the file system cannot be queried
   */
  long usedBytes() throws IOException {
    FileStore store = Files.getFileStore(dir);
    return store.getTotalSpace() - store.getUnallocatedSpace();
  }

  /**
   * Unmounts the tmpfs and removes the directory. Idempotent.
   *
   * @throws IOException when the directory cannot be removed
   * @throws AssertionError when the unmount fails (a process still holds a file there: it is then
   *     detached lazily, so nothing stays mounted) or the mount is still listed afterwards
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    String failure = null;
    if (isMounted()) {
      int errno = MountCalls.umount2(dir.toString(), MountCalls.UMOUNT_NOFOLLOW);
      if (errno != 0) {
        failure = "umount " + dir + " (" + options + "): " + Errno.describe(errno);
        MountCalls.umount2(dir.toString(), MountCalls.UMOUNT_NOFOLLOW | MountCalls.MNT_DETACH);
      }
    }
    if (isMounted()) {
      failure = (failure == null ? "" : failure + "; ") + dir + " is still mounted";
    } else {
      Files.deleteIfExists(dir);
    }
    if (failure != null) {
      throw new AssertionError(failure);
    }
  }

  @Override
  public String toString() {
    return "tmpfs " + dir + " (" + options + ")";
  }
}
