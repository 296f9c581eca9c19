package io.cellar.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The one way this project binds a C library symbol: {@link #capturing} makes a downcall handle
 * whose first argument is a <i>call state</i> segment into which the JVM stores {@code errno} right
 * after the call returns ({@link Linker.Option#captureCallState}), so no later JVM activity can
 * overwrite it. A call state comes from {@link #newCallState(Arena)} and is reused by a thread (or
 * a connection) across calls; {@link #errno(MemorySegment)} reads it.
 *
 * <p>Stateless and thread-safe. Only this package binds symbols; other modules call the typed
 * methods of {@link FileCalls}, {@link MemoryCalls}, {@link SocketCalls}, {@link FdPassing}, {@link
 * MountCalls} and {@link ProcessCalls}.
 */
public final class Downcall {
  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

  private Downcall() {}

  /**
   * A segment the capturing calls store {@code errno} into.
   *
   * @param arena the arena that owns it (its lifetime bounds the segment's)
   * @return a new call state
   */
  public static MemorySegment newCallState(Arena arena) {
    return arena.allocate(CALL_STATE);
  }

  /**
   * The {@code errno} stored by the last capturing call that used {@code state}.
   *
   * @param state a call state from {@link #newCallState(Arena)}
   * @return the error number
   */
  public static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
  }

  /** A handle taking a call state first, then the C arguments. */
  @SuppressWarnings("restricted")
  static MethodHandle capturing(String name, FunctionDescriptor descriptor) {
    return LINKER.downcallHandle(symbol(name), descriptor, CAPTURE_ERRNO);
  }

  /** A handle for a call whose errno is never looked at. */
  @SuppressWarnings("restricted")
  static MethodHandle plain(String name, FunctionDescriptor descriptor) {
    return LINKER.downcallHandle(symbol(name), descriptor);
  }

  /**
   * A handle for a short call that never blocks and never calls back (for example {@code poll} with
   * a zero timeout), made without the thread-state transition.
   */
  @SuppressWarnings("restricted")
  static MethodHandle critical(String name, FunctionDescriptor descriptor) {
    return LINKER.downcallHandle(symbol(name), descriptor, Linker.Option.critical(false));
  }

  /** The exception for a failed call, from the errno in {@code state}. */
  static ErrnoException failure(String call, MemorySegment state) {
    return new ErrnoException(call, errno(state));
  }

  /**
   * What {@code invokeExact} threw, as an unchecked exception: downcalls declare {@code Throwable}
   * but only fail with errors of the JVM itself.
   */
  static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException("native call failed", t);
  }

  private static MemorySegment symbol(String name) {
    return LINKER
        .defaultLookup()
        .find(name)
        .orElseThrow(() -> new IllegalStateException("the C library has no " + name));
  }
}
