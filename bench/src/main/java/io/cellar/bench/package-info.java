/**
 * JMH benchmarks of the engine: the allocator's allocate/free cost across sizes, and filling a 1
 * GiB blob compared with a plain copy of the same bytes in the same run.
 */
package io.cellar.bench;
