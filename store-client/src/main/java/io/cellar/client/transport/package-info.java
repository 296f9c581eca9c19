/** Framing, the UNIX socket with fd passing, and the TCP stream the clients speak over. */
package io.cellar.client.transport;
