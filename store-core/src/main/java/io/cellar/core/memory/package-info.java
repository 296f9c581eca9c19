/**
 * Shared memory for the store: FFM bindings to the Linux calls behind it ({@link
 * io.cellar.core.memory.Libc}), the memfd-backed arena that blobs live in ({@link
 * io.cellar.core.memory.MemfdArena}) and the {@code --size} parser ({@link
 * io.cellar.core.memory.MemorySize}).
 */
package io.cellar.core.memory;
