package io.cellar.csi;

import io.cellar.posix.Errno;
import io.cellar.posix.MountCalls;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Bind mounts through {@code mount(2)} and {@code umount2(2)} ({@link MountCalls}), and the mount
 * table read from {@code /proc/self/mountinfo}. Needs {@code CAP_SYS_ADMIN} (root) and {@code
 * --enable-native-access=ALL-UNNAMED}. Stateless and thread-safe; each call blocks in the kernel,
 * so callers keep it off event loops.
 */
public final class BindMounter {

  /** Creates a mounter. */
  public BindMounter() {}

  /** One line of the mount table that matters here. */
  record MountPoint(Path path, boolean readOnly) {}

  /**
   * Bind-mounts {@code source} onto {@code target}, then remounts it read-only when asked.
   *
   * @param source an existing directory
   * @param target an existing directory
   * @param readOnly whether the bind is read-only
   * @throws StatusRuntimeException PERMISSION_DENIED, NOT_FOUND or INTERNAL with the errno
   */
  public void bind(Path source, Path target, boolean readOnly) {
    call("bind mount " + source + " on " + target, source, target, MountCalls.MS_BIND);
    if (readOnly) {
      try {
        call(
            "read-only remount of " + target,
            source,
            target,
            MountCalls.MS_REMOUNT | MountCalls.MS_BIND | MountCalls.MS_RDONLY);
      } catch (StatusRuntimeException e) {
        unmount(target);
        throw e;
      }
    }
  }

  /**
   * Unmounts the topmost mount at {@code target}; a target that is not a mount point is left alone.
   *
   * @param target the mount point
   * @throws StatusRuntimeException PERMISSION_DENIED or INTERNAL with the errno
   */
  public void unmount(Path target) {
    int errno = MountCalls.umount2(target.toString(), MountCalls.UMOUNT_NOFOLLOW);
    if (errno != 0 && errno != Errno.EINVAL && errno != Errno.ENOENT) {
      // EINVAL: not a mount point (any more); ENOENT: gone: nothing to undo
      throw failure("unmount of " + target, errno);
    }
  }

  /**
   * The topmost mount at {@code path}, from {@code /proc/self/mountinfo}.
   *
   * @param path an absolute path
   * @return the mount, or empty when {@code path} is not a mount point
   * @throws StatusRuntimeException INTERNAL when the mount table cannot be read
   */
  Optional<MountPoint> mountAt(Path path) {
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of("/proc/self/mountinfo"));
    } catch (IOException e) {
      throw Status.INTERNAL
          .withDescription("cannot read /proc/self/mountinfo: " + e.getMessage())
          .asRuntimeException();
    }
    Optional<MountPoint> found = Optional.empty();
    String wanted = path.toString();
    for (String line : lines) {
      String[] fields = line.split(" ");
      if (fields.length > 5 && unescape(fields[4]).equals(wanted)) {
        boolean readOnly = List.of(fields[5].split(",")).contains("ro");
        found = Optional.of(new MountPoint(path, readOnly)); // later lines are mounted on top
      }
    }
    return found;
  }

  private static void call(String what, Path source, Path target, long flags) {
    int errno = MountCalls.mount(source.toString(), target.toString(), flags);
    if (errno != 0) {
      throw failure(what, errno);
    }
  }

  private static StatusRuntimeException failure(String what, int errno) {
    Status status =
        switch (errno) {
          case Errno.EPERM, Errno.EACCES -> Status.PERMISSION_DENIED;
          case Errno.ENOENT -> Status.NOT_FOUND;
          default -> Status.INTERNAL;
        };
    return status
        .withDescription(
            what
                + " failed: "
                + Errno.describe(errno)
                + (errno == Errno.EPERM ? " (not root?)" : ""))
        .asRuntimeException();
  }

  /** Undoes mountinfo's octal escapes ({@code \040} for a space and so on). */
  private static String unescape(String field) {
    if (field.indexOf('\\') < 0) {
      return field;
    }
    StringBuilder out = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && isOctal(field, i + 1)) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isOctal(String s, int from) {
    for (int i = from; i < from + 3; i++) {
      if (i >= s.length() || s.charAt(i) < '0' || s.charAt(i) > '7') {
        return false;
      }
    }
    return true;
  }
}
