package io.cellar.server.ipc;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * The Linux LP64 (x86-64, aarch64) layouts that {@code sendmsg}/{@code recvmsg} take, for passing
 * one fd with {@code SCM_RIGHTS}:
 *
 * <pre>
 * struct msghdr (56 bytes)                 struct iovec (16 bytes)
 *   0  void*   msg_name                      0  void*  iov_base
 *   8  u32     msg_namelen  (+4 pad)         8  size_t iov_len
 *  16  iovec*  msg_iov
 *  24  size_t  msg_iovlen                  struct cmsghdr + one int (CMSG_SPACE(4) = 24 bytes)
 *  32  void*   msg_control                   0  size_t cmsg_len   = CMSG_LEN(4) = 20
 *  40  size_t  msg_controllen                8  int    cmsg_level = SOL_SOCKET (1)
 *  48  int     msg_flags    (+4 pad)        12  int    cmsg_type  = SCM_RIGHTS (1)
 *                                           16  int    the fd     (+4 pad)
 * </pre>
 *
 * <p>Native byte order. Constants only; thread-safe.
 */
public final class MsgHdrDescriptor {
  /** Offset of {@code msg_iov}. */
  public static final long MSG_IOV_OFFSET = 16;

  /** Offset of {@code msg_iovlen}. */
  public static final long MSG_IOVLEN_OFFSET = 24;

  /** Offset of {@code msg_control}. */
  public static final long MSG_CONTROL_OFFSET = 32;

  /** Offset of {@code msg_controllen}. */
  public static final long MSG_CONTROLLEN_OFFSET = 40;

  /** Offset of {@code msg_flags}. */
  public static final long MSG_FLAGS_OFFSET = 48;

  /** Size of {@code struct msghdr}. */
  public static final long MSGHDR_SIZE = 56;

  /** Offset of {@code iov_base}. */
  public static final long IOV_BASE_OFFSET = 0;

  /** Offset of {@code iov_len}. */
  public static final long IOV_LEN_OFFSET = 8;

  /** Size of {@code struct iovec}. */
  public static final long IOVEC_SIZE = 16;

  /** Offset of {@code cmsg_len}. */
  public static final long CMSG_LEN_OFFSET = 0;

  /** Offset of {@code cmsg_level}. */
  public static final long CMSG_LEVEL_OFFSET = 8;

  /** Offset of {@code cmsg_type}. */
  public static final long CMSG_TYPE_OFFSET = 12;

  /** Offset of the first fd ({@code CMSG_DATA}). */
  public static final long CMSG_DATA_OFFSET = 16;

  /** {@code CMSG_LEN(sizeof(int))}. */
  public static final long CMSG_LEN_ONE_FD = 20;

  /** {@code CMSG_SPACE(sizeof(int))}: the control buffer size for one fd. */
  public static final long CMSG_SPACE_ONE_FD = 24;

  /** {@code SOL_SOCKET}. */
  public static final int SOL_SOCKET = 1;

  /** {@code SCM_RIGHTS}. */
  public static final int SCM_RIGHTS = 1;

  /** {@code MSG_DONTWAIT}. */
  public static final int MSG_DONTWAIT = 0x40;

  /** {@code MSG_NOSIGNAL}. */
  public static final int MSG_NOSIGNAL = 0x4000;

  /** {@code MSG_CTRUNC}, set in {@code msg_flags} when control data was cut. */
  public static final int MSG_CTRUNC = 0x8;

  /** {@code EAGAIN}. */
  public static final int EAGAIN = 11;

  /** {@code EINTR}. */
  public static final int EINTR = 4;

  /** The {@code struct msghdr} layout, for allocation. */
  public static final StructLayout MSGHDR =
      MemoryLayout.structLayout(
          ValueLayout.ADDRESS.withName("msg_name"),
          ValueLayout.JAVA_INT.withName("msg_namelen"),
          MemoryLayout.paddingLayout(4),
          ValueLayout.ADDRESS.withName("msg_iov"),
          ValueLayout.JAVA_LONG.withName("msg_iovlen"),
          ValueLayout.ADDRESS.withName("msg_control"),
          ValueLayout.JAVA_LONG.withName("msg_controllen"),
          ValueLayout.JAVA_INT.withName("msg_flags"),
          MemoryLayout.paddingLayout(4));

  private MsgHdrDescriptor() {}
}
