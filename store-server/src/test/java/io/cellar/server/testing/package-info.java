/**
 * Test harness for the daemon: a JUnit 5 extension that runs it as its own process, and raw
 * protocol clients (FFM {@code recvmsg} with fd checks) that drive it over real sockets.
 */
package io.cellar.server.testing;
