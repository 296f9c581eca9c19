package io.cellar.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * {@code mount(2)} and {@code umount2(2)}, for bind mounts and file systems such as a tmpfs with
 * huge pages. Both need {@code CAP_SYS_ADMIN} (root) and block in the kernel: keep them off event
 * loops.
 *
 * <p>Stateless and thread-safe.
 */
public final class MountCalls {
  /** {@code MS_RDONLY}. */
  public static final long MS_RDONLY = 1;

  /** {@code MS_REMOUNT}. */
  public static final long MS_REMOUNT = 32;

  /** {@code MS_BIND}. */
  public static final long MS_BIND = 4096;

  /** {@code MS_REC}. */
  public static final long MS_REC = 16384;

  /** {@code MS_SHARED}: make a mount shared (propagation). */
  public static final long MS_SHARED = 1L << 20;

  /** {@code UMOUNT_NOFOLLOW}: do not follow a symbolic link at the target. */
  public static final int UMOUNT_NOFOLLOW = 8;

  /** {@code MNT_DETACH}: lazy unmount. */
  public static final int MNT_DETACH = 2;

  private static final ValueLayout ADDRESS = ValueLayout.ADDRESS;
  private static final MethodHandle MOUNT =
      Downcall.capturing(
          "mount",
          FunctionDescriptor.of(
              ValueLayout.JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ValueLayout.JAVA_LONG, ADDRESS));
  private static final MethodHandle UMOUNT2 =
      Downcall.capturing(
          "umount2", FunctionDescriptor.of(ValueLayout.JAVA_INT, ADDRESS, ValueLayout.JAVA_INT));

  private MountCalls() {}

  /**
   * {@code mount(source, target, NULL, flags, NULL)}: a bind mount or a remount of one.
   *
   * @param source the source path
   * @param target the mount point
   * @param flags {@code MS_*} flags
   * @return 0 on success, else the errno
   */
  public static int mount(String source, String target, long flags) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcall.newCallState(arena);
      int rc =
          (int)
              MOUNT.invokeExact(
                  state,
                  arena.allocateFrom(source),
                  arena.allocateFrom(target),
                  MemorySegment.NULL,
                  flags,
                  MemorySegment.NULL);
      return rc == 0 ? 0 : Downcall.errno(state);
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }

  /**
   * {@code mount(source, target, fstype, flags, data)}: mounts a file system, for example {@code
   * mount("tmpfs", dir, "tmpfs", 0, "huge=always,size=2G")}.
   *
   * @param source the source ({@code "tmpfs"} for a tmpfs)
   * @param target the mount point, an existing directory
   * @param fstype the file system type
   * @param flags {@code MS_*} flags
   * @param data the file system's options, or null
   * @return 0 on success, else the errno
   */
  public static int mountFilesystem(
      String source, String target, String fstype, long flags, String data) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcall.newCallState(arena);
      // a local, not a conditional in the call: as an argument of the signature-polymorphic
      // invokeExact the conditional is typed Object, and the call fails with
      // WrongMethodTypeException
      MemorySegment options = data == null ? MemorySegment.NULL : arena.allocateFrom(data);
      int rc =
          (int)
              MOUNT.invokeExact(
                  state,
                  arena.allocateFrom(source),
                  arena.allocateFrom(target),
                  arena.allocateFrom(fstype),
                  flags,
                  options);
      return rc == 0 ? 0 : Downcall.errno(state);
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }

  /**
   * {@code umount2(target, flags)}.
   *
   * @param target the mount point
   * @param flags for example {@link #UMOUNT_NOFOLLOW}
   * @return 0 on success, else the errno ({@link Errno#EINVAL} for a path that is not a mount
   *     point)
   */
  public static int umount2(String target, int flags) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcall.newCallState(arena);
      int rc = (int) UMOUNT2.invokeExact(state, arena.allocateFrom(target), flags);
      return rc == 0 ? 0 : Downcall.errno(state);
    } catch (Throwable t) {
      throw Downcall.rethrow(t);
    }
  }
}
