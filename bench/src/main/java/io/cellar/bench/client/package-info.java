/**
 * JMH benchmarks of the Java client against a running {@code bin/vineyardd} process (started by
 * each benchmark's trial setup on a temporary socket), each with its baseline in the same run: put
 * throughput against a plain copy, get latency across object sizes, small-object rates for 1 and 4
 * clients, and RPC put/get throughput.
 */
package io.cellar.bench.client;
