/**
 * Placing blobs inside an arena: {@link io.cellar.core.alloc.BestFitAllocator} hands out 64-byte
 * aligned offsets, best fit with coalescing, under a hard limit on the bytes in use.
 */
package io.cellar.core.alloc;
