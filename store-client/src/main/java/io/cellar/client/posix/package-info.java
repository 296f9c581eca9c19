/** FFM bindings to the libc calls the client makes: sockets, fd passing, mmap. */
package io.cellar.client.posix;
