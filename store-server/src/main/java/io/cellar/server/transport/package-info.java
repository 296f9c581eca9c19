/**
 * The per-connection request loop shared by IPC and RPC: one request at a time, replies in order,
 * parked requests and offloaded work resumed on the connection's event loop, fds and raw bytes sent
 * after their reply.
 */
package io.cellar.server.transport;
