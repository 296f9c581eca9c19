/**
 * The embeddable Cellar engine: shared-memory arenas, allocation, blobs and object metadata, usable
 * in-process without any socket.
 */
package io.cellar.core;
