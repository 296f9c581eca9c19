/**
 * Prometheus metrics (micrometer): memory, objects, connections, per-command counts and latencies.
 */
package io.cellar.server.metrics;
