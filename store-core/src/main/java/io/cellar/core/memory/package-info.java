/**
 * Shared memory for the store: the memfd-backed arena that blobs live in ({@link
 * io.cellar.core.memory.MemfdArena}) and its layout ({@link
 * io.cellar.core.memory.ArenaDescriptor}), the background filler of fresh pages ({@link
 * io.cellar.core.memory.ArenaPrefiller}) and the {@code --size} parser ({@link
 * io.cellar.core.memory.MemorySize}). The system calls come from {@code io.cellar.posix}.
 */
package io.cellar.core.memory;
