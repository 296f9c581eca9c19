/**
 * The vineyardd-compatible daemon: {@link io.cellar.server.VineyardServer} serves a {@link
 * io.cellar.core.Store} over the Vineyard protocol (IPC and RPC), embeddable in any JVM; {@link
 * io.cellar.server.daemon.Vineyardd} is the command-line daemon.
 */
package io.cellar.server;
