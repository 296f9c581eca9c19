/**
 * The per-connection transport shared by IPC and RPC, which never touches the store: {@link
 * io.cellar.server.transport.RequestLoop} takes one request at a time and keeps replies in order
 * (parked and offloaded requests resume on the connection's event loop), {@link
 * io.cellar.server.transport.ReplyWriter} writes a reply with its raw bytes and then its fds
 * through the one {@link io.cellar.server.transport.FdSender}, and {@link
 * io.cellar.server.transport.RawBytesReceiver} takes the raw bytes of a remote-buffer upload.
 */
package io.cellar.server.transport;
