/**
 * Streams (vineyardd's {@code StreamStore}): a queue of chunks between one writer and one reader,
 * with back-pressure against the stream threshold and the waits answered through futures.
 */
package io.cellar.core.stream;
