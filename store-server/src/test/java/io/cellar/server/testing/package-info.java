/**
 * Raw wire clients for checking the daemon's bytes exactly: {@link
 * io.cellar.server.testing.RawWireClient} (framed JSON, announced fds received and mapped, checked
 * against the C++ client's rule) over {@link io.cellar.server.testing.RawUnixClient} (FFM {@code
 * recvmsg} with fd checks). The daemon itself is run by test-support's harness.
 */
package io.cellar.server.testing;
