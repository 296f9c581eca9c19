package io.cellar.csi;

import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The node's socket root ({@code /var/run/vineyard-kubernetes} by default): one directory per
 * vineyard cluster, {@code <root>/<namespace>/<name>/vineyard.sock}. Resolving a cluster's
 * directory never leaves the root, even through symbolic links. Immutable and thread-safe.
 */
public final class SocketRoot {

  /** The socket file vineyardd serves inside a cluster's directory. */
  public static final String SOCKET_NAME = "vineyard.sock";

  /** The default socket root, as in vineyard's manifests. */
  public static final Path DEFAULT = Path.of("/var/run/vineyard-kubernetes");

  private final Path root;

  /**
   * Wraps a socket root.
   *
   * @param root the directory, made absolute and normalised
   */
  public SocketRoot(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /**
   * The root directory.
   *
   * @return the absolute, normalised path
   */
  public Path path() {
    return root;
  }

  /**
   * Whether the root exists as a directory (the node's vineyard deployment created it).
   *
   * @return true when it is a directory
   */
  public boolean isReady() {
    return Files.isDirectory(root);
  }

  /**
   * The directory of a volume's vineyard cluster, checked to lie inside the root and to hold a
   * {@code vineyard.sock}.
   *
   * @param volume the volume
   * @return the real path of {@code <root>/<namespace>/<name>}
   * @throws io.grpc.StatusRuntimeException INVALID_ARGUMENT when the path escapes the root,
   *     FAILED_PRECONDITION when the directory or its socket is missing
   */
  public Path clusterDirectory(VolumeId volume) {
    Path dir = root.resolve(volume.namespace()).resolve(volume.name()).normalize();
    if (!dir.startsWith(root) || dir.equals(root)) {
      throw Status.INVALID_ARGUMENT
          .withDescription("vineyard cluster path escapes the socket root: " + dir)
          .asRuntimeException();
    }
    Path real;
    Path realRoot;
    try {
      realRoot = root.toRealPath();
      real = dir.toRealPath();
    } catch (IOException e) {
      throw Status.FAILED_PRECONDITION
          .withDescription(
              "vineyard cluster "
                  + volume.namespace()
                  + "/"
                  + volume.name()
                  + " has no socket directory on this node: "
                  + dir
                  + " ("
                  + e.getMessage()
                  + ")")
          .asRuntimeException();
    }
    if (!real.startsWith(realRoot) || real.equals(realRoot)) {
      throw Status.INVALID_ARGUMENT
          .withDescription(
              "vineyard cluster directory " + dir + " resolves outside the socket root")
          .asRuntimeException();
    }
    if (!Files.isDirectory(real)) {
      throw Status.FAILED_PRECONDITION
          .withDescription("vineyard cluster path is not a directory: " + dir)
          .asRuntimeException();
    }
    Path socket = real.resolve(SOCKET_NAME);
    if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
      throw Status.FAILED_PRECONDITION
          .withDescription(
              "vineyard socket "
                  + socket
                  + " not found: is vineyardd of "
                  + volume.namespace()
                  + "/"
                  + volume.name()
                  + " running on this node?")
          .asRuntimeException();
    }
    return real;
  }
}
