/**
 * The RPC side: the TCP listener on Netty's epoll transport. Same framing and commands as IPC; no
 * fds, blob bytes travel inline with the remote-buffer commands.
 */
package io.cellar.server.rpc;
