/** Benchmarks of the engine and the server. */
package io.cellar.bench;
