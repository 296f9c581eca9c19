/** Tests of the daemon as its own OS process, over real UNIX and TCP sockets. */
package io.cellar.server.process;
