/** The client side of shared memory: received arena fds, their mappings, and the fd bookkeeping. */
package io.cellar.client.memory;
