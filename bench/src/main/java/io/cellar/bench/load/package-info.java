/**
 * Whole-process load: many Java and Python clients of mixed traffic against one {@code
 * bin/vineyardd}, with per-operation latencies, error counts and the memory left at the end.
 */
package io.cellar.bench.load;
