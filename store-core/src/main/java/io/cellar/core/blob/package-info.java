/**
 * Blobs: byte ranges in the shared arena with vineyardd's lifecycle (create, seal, reference,
 * release, delete, spill). {@link io.cellar.core.blob.BlobStore} is the table; {@link
 * io.cellar.protocol.Payload} is where a blob lives, as the protocol describes it.
 */
package io.cellar.core.blob;
