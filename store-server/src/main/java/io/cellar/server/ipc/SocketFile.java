package io.cellar.server.ipc;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * The IPC socket file's life-cycle, as the reference's {@code check_listenable} does it: parents
 * created, a live socket refused, a stale one removed, a non-socket refused, write permission
 * probed; after binding the mode is set; at shutdown the file is removed.
 *
 * <p>Stateless and thread-safe; touches the file system.
 */
public final class SocketFile {
  /** The root default socket, tried first when {@code --socket} is empty. */
  public static final Path ROOT_DEFAULT = Path.of("/var/run/vineyard.sock");

  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;

  private SocketFile() {}

  /**
   * The socket to listen on: the flag's value when given, else {@link #ROOT_DEFAULT} when usable,
   * else {@code $HOME/.local/vineyard/vineyard.sock}. The chosen path is prepared ({@link
   * #prepare(Path)}).
   *
   * @param flag the {@code --socket} value, possibly empty
   * @return the prepared absolute path
   * @throws IOException when no candidate can be used, with the reason
   */
  public static Path choose(String flag) throws IOException {
    if (flag != null && !flag.isEmpty()) {
      Path p = Path.of(flag).toAbsolutePath();
      prepare(p);
      return p;
    }
    try {
      prepare(ROOT_DEFAULT);
      return ROOT_DEFAULT;
    } catch (IOException e) {
      String home = System.getenv("HOME");
      if (home == null || home.isEmpty()) {
        throw new IOException(e.getMessage() + "; and $HOME is not set for the fallback", e);
      }
      Path fallback = Path.of(home, ".local", "vineyard", "vineyard.sock");
      prepare(fallback);
      return fallback;
    }
  }

  /**
   * Makes a path ready to bind: creates its parents, refuses a live socket or a non-socket file,
   * removes a stale socket, and checks the directory is writable.
   *
   * @param path the socket path
   * @throws IOException when it cannot be used, with the reason
   */
  public static void prepare(Path path) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw new IOException(
          "Failed to create parent directory '" + parent + "' for socket '" + path + "': " + e, e);
    }
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      if (!isSocket(path)) {
        throw new IOException("'" + path + "' exists and is not a UNIX-domain socket");
      }
      if (isLive(path)) {
        throw new IOException(
            "the UNIX-domain socket '"
                + path
                + "' is already in use and has been listened on; use another --socket path");
      }
      Files.delete(path);
    }
    Path probe = parent.resolve(".cellar-probe-" + ProcessHandle.current().pid());
    try {
      Files.deleteIfExists(probe);
      Files.createFile(probe);
      Files.delete(probe);
    } catch (IOException e) {
      throw new IOException("the directory '" + parent + "' is not writable: " + e, e);
    }
  }

  /**
   * Whether a server accepts connections on a socket path.
   *
   * @param path the socket path
   * @return true when a connect succeeds
   */
  public static boolean isLive(Path path) {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      return ch.connect(UnixDomainSocketAddress.of(path));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Whether a path is a socket file.
   *
   * @param path the path
   * @return true for a socket
   */
  public static boolean isSocket(Path path) {
    try {
      int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      return (mode & S_IFMT) == S_IFSOCK;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /**
   * Sets the permission bits of the socket file.
   *
   * @param path the socket
   * @param mode the mode, e.g. {@code 0777}
   * @throws IOException when it cannot be set
   */
  public static void chmod(Path path, int mode) throws IOException {
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OTHERS_EXECUTE,
      PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE,
      PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ
    };
    for (int bit = 0; bit < order.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        perms.add(order[bit]);
      }
    }
    Files.setPosixFilePermissions(path, perms);
  }

  /**
   * Removes the socket file if it is still a socket.
   *
   * @param path the socket
   */
  public static void remove(Path path) {
    try {
      if (isSocket(path)) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // best effort at shutdown
    }
  }
}
