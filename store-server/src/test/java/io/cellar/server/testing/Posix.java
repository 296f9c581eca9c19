package io.cellar.server.testing;

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

/** The few libc calls the raw test client needs, through FFM. Thread-safe. */
@SuppressWarnings("restricted")
final class Posix {
  static final int AF_UNIX = 1;
  static final int SOCK_STREAM = 1;
  static final int SOL_SOCKET = 1;
  static final int SO_RCVTIMEO = 20;
  static final int PROT_READ = 1;
  static final int PROT_WRITE = 2;
  static final int MAP_SHARED = 1;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout ERRNO_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      ERRNO_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
  private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG;
  private static final ValueLayout A = ValueLayout.ADDRESS;

  static final MethodHandle SOCKET = handle("socket", FunctionDescriptor.of(I, I, I, I));
  static final MethodHandle CONNECT = handle("connect", FunctionDescriptor.of(I, I, A, I));
  static final MethodHandle WRITE = handle("write", FunctionDescriptor.of(L, I, A, L));
  static final MethodHandle RECVMSG = handle("recvmsg", FunctionDescriptor.of(L, I, A, I));
  static final MethodHandle OPEN = handle("open", FunctionDescriptor.of(I, A, I));
  static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(I, I));
  static final MethodHandle SETSOCKOPT =
      handle("setsockopt", FunctionDescriptor.of(I, I, I, I, A, I));
  static final MethodHandle MMAP = handle("mmap", FunctionDescriptor.of(A, A, L, I, I, I, L));
  static final MethodHandle MUNMAP = handle("munmap", FunctionDescriptor.of(I, A, L));

  private Posix() {}

  private static MethodHandle handle(String name, FunctionDescriptor fd) {
    return LINKER.downcallHandle(
        LINKER.defaultLookup().find(name).orElseThrow(),
        fd,
        Linker.Option.captureCallState("errno"));
  }

  static MemorySegment errnoState(Arena arena) {
    return arena.allocate(ERRNO_STATE);
  }

  static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
  }

  static IOException failure(String call, MemorySegment state) {
    return new IOException(call + " failed, errno " + errno(state));
  }
}
