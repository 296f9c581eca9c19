package io.cellar.posix;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * The Linux LP64 (x86-64, aarch64) layouts {@code sendmsg(2)}/{@code recvmsg(2)} take to pass fds
 * with {@code SCM_RIGHTS} (reference §3.3: one 1-byte message per fd), and the {@code sockaddr_un}
 * a client connects with:
 *
 * <pre>
 * struct msghdr (56 bytes)                 struct iovec (16 bytes)
 *   0  void*   msg_name      = NULL          0  void*  iov_base -> 1 data byte
 *   8  u32     msg_namelen   = 0  (+4 pad)   8  size_t iov_len  = 1
 *  16  iovec*  msg_iov
 *  24  size_t  msg_iovlen    = 1           control message: CMSG_SPACE(4 * n) bytes
 *  32  void*   msg_control                   0  size_t cmsg_len   (CMSG_LEN(4 * n))
 *  40  size_t  msg_controllen                8  int    cmsg_level (SOL_SOCKET = 1)
 *  48  int     msg_flags          (+4 pad)  12  int    cmsg_type  (SCM_RIGHTS = 1)
 *                                           16  int[n] the fds    (padded to 8 bytes)
 *
 * struct sockaddr_un (110 bytes)
 *   0  u16     sun_family  (AF_UNIX = 1)
 *   2  char[108] sun_path  (NUL-terminated)
 * </pre>
 *
 * <p>A receiver's control buffer has room for {@link #MAX_FDS} fds so that a peer that (wrongly)
 * packs several fds into one message is detected and every fd it sent is closed, as the reference
 * client does; a sender of one fd uses {@link #CMSG_SPACE_ONE_FD}. Native byte order. Constants
 * only; thread-safe.
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

  /** Offset of {@code cmsg_len} in a control message. */
  public static final long CMSG_LEN_OFFSET = 0;

  /** Offset of {@code cmsg_level}. */
  public static final long CMSG_LEVEL_OFFSET = 8;

  /** Offset of {@code cmsg_type}. */
  public static final long CMSG_TYPE_OFFSET = 12;

  /** Offset of the first fd ({@code CMSG_DATA}). */
  public static final long CMSG_DATA_OFFSET = 16;

  /** {@code CMSG_LEN(4)}: the length field of a control message carrying one fd. */
  public static final long CMSG_LEN_ONE_FD = 20;

  /** {@code CMSG_SPACE(4)}: the control buffer for one fd. */
  public static final long CMSG_SPACE_ONE_FD = 24;

  /** The most fds a receiver's control buffer can hold. */
  public static final int MAX_FDS = 8;

  /** {@code CMSG_SPACE(4 * MAX_FDS)}: a receiver's control buffer size. */
  public static final long CONTROL_SIZE = CMSG_DATA_OFFSET + 4L * MAX_FDS;

  /** {@code SOL_SOCKET}. */
  public static final int SOL_SOCKET = 1;

  /** {@code SCM_RIGHTS}. */
  public static final int SCM_RIGHTS = 1;

  /** {@code MSG_DONTWAIT}: fail with {@code EAGAIN} instead of waiting. */
  public static final int MSG_DONTWAIT = 0x40;

  /** {@code MSG_NOSIGNAL}: no {@code SIGPIPE} when the peer is gone. */
  public static final int MSG_NOSIGNAL = 0x4000;

  /** {@code MSG_CTRUNC}: the control data was truncated. */
  public static final int MSG_CTRUNC = 0x08;

  /** {@code MSG_CMSG_CLOEXEC}: received fds are close-on-exec. */
  public static final int MSG_CMSG_CLOEXEC = 0x40000000;

  /** Size of {@code struct sockaddr_un}. */
  public static final long SOCKADDR_UN_SIZE = 110;

  /** Offset of {@code sun_path} in {@code struct sockaddr_un} (after the 2-byte family). */
  public static final long SUN_PATH_OFFSET = 2;

  /** Longest socket path, excluding the terminating NUL. */
  public static final int SUN_PATH_MAX = 107;

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

  /**
   * {@code CMSG_LEN(4 * fds)}: the length field of a control message carrying {@code fds} fds.
   *
   * @param fds the count of fds
   * @return the header length plus the fds
   */
  public static long cmsgLength(int fds) {
    return CMSG_DATA_OFFSET + 4L * fds;
  }
}
