/**
 * The IPC side: the UNIX-domain socket server on Netty's epoll transport, the socket file's
 * life-cycle, and fd passing with one 1-byte {@code sendmsg} per {@code SCM_RIGHTS} fd.
 */
package io.cellar.server.ipc;
