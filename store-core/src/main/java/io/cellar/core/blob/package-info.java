/**
 * Blobs: byte ranges in the shared arena with vineyardd's lifecycle (create, seal, reference,
 * release, delete, spill). {@link io.cellar.core.blob.BlobStore} is the API; behind its lock, the
 * arena and its allocator, the table of blobs by state, the ledger of owners' holds and the spiller
 * (whose file I/O runs outside the lock) each hold one idea. {@link io.cellar.protocol.Payload} is
 * where a blob lives, as the protocol describes it.
 */
package io.cellar.core.blob;
