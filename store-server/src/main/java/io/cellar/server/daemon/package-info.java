/**
 * The {@code vineyardd} process: the command-line entry point that parses the flags, warms up,
 * opens the store, starts the server and stops it on a signal. The composition root: it depends on
 * the other server packages, none of them on it.
 */
package io.cellar.server.daemon;
