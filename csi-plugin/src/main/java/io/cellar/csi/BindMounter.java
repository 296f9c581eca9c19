package io.cellar.csi;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Bind mounts through {@code mount(2)} and {@code umount2(2)} called with the FFM API, and the
 * mount table read from {@code /proc/self/mountinfo}. Needs {@code CAP_SYS_ADMIN} (root) and {@code
 * --enable-native-access=ALL-UNNAMED}. Stateless and thread-safe; each call blocks in the kernel,
 * so callers keep it off event loops.
 */
@SuppressWarnings("restricted") // mount(2) and umount2(2) downcalls; native access is enabled
public final class BindMounter {

  private static final long MS_RDONLY = 1;
  private static final long MS_REMOUNT = 32;
  private static final long MS_BIND = 4096;
  private static final int UMOUNT_NOFOLLOW = 8;
  private static final int EPERM = 1;
  private static final int ENOENT = 2;
  private static final int EACCES = 13;
  private static final int EINVAL = 22;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final MethodHandle MOUNT =
      LINKER.downcallHandle(
          LINKER.defaultLookup().find("mount").orElseThrow(),
          FunctionDescriptor.of(
              ValueLayout.JAVA_INT,
              ValueLayout.ADDRESS,
              ValueLayout.ADDRESS,
              ValueLayout.ADDRESS,
              ValueLayout.JAVA_LONG,
              ValueLayout.ADDRESS),
          Linker.Option.captureCallState("errno"));
  private static final MethodHandle UMOUNT2 =
      LINKER.downcallHandle(
          LINKER.defaultLookup().find("umount2").orElseThrow(),
          FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
          Linker.Option.captureCallState("errno"));

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
    call("bind mount " + source + " on " + target, source, target, MS_BIND);
    if (readOnly) {
      try {
        call("read-only remount of " + target, source, target, MS_REMOUNT | MS_BIND | MS_RDONLY);
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
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      int rc =
          (int) UMOUNT2.invokeExact(state, arena.allocateFrom(target.toString()), UMOUNT_NOFOLLOW);
      if (rc != 0) {
        int errno = (int) ERRNO.get(state, 0L);
        if (errno == EINVAL || errno == ENOENT) {
          return; // not a mount point (any more), or gone: nothing to undo
        }
        throw failure("unmount of " + target, errno);
      }
    } catch (StatusRuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw Status.INTERNAL
          .withDescription("umount2 call failed: " + t)
          .withCause(t)
          .asRuntimeException();
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
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      int rc =
          (int)
              MOUNT.invokeExact(
                  state,
                  arena.allocateFrom(source.toString()),
                  arena.allocateFrom(target.toString()),
                  MemorySegment.NULL,
                  flags,
                  MemorySegment.NULL);
      if (rc != 0) {
        throw failure(what, (int) ERRNO.get(state, 0L));
      }
    } catch (StatusRuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw Status.INTERNAL
          .withDescription("mount call failed: " + t)
          .withCause(t)
          .asRuntimeException();
    }
  }

  private static StatusRuntimeException failure(String what, int errno) {
    Status status =
        switch (errno) {
          case EPERM, EACCES -> Status.PERMISSION_DENIED;
          case ENOENT -> Status.NOT_FOUND;
          default -> Status.INTERNAL;
        };
    return status
        .withDescription(what + " failed: errno " + errno + (errno == EPERM ? " (not root?)" : ""))
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
