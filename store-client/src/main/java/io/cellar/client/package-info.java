/**
 * The pure-Java Vineyard client: {@link io.cellar.client.IpcClient} (UNIX socket, zero-copy shared
 * memory) and {@link io.cellar.client.RpcClient} (TCP, bytes inline), both a {@link
 * io.cellar.client.VineyardClient}.
 */
package io.cellar.client;
