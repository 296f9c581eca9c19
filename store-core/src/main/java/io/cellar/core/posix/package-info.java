/**
 * The Linux socket layouts the IPC client and server share to pass fds with {@code SCM_RIGHTS}
 * ({@link io.cellar.core.posix.MsgHdrDescriptor}). Core itself opens no sockets: the calls live
 * with their users (the client's FFM bindings, the server's fd passing).
 */
package io.cellar.core.posix;
