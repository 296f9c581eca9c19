/**
 * Command dispatch: one handler class per command family maps each protocol request onto the {@link
 * io.cellar.core.Store} and builds the exact reply the reference server sends, with the fds it
 * passes already resolved. A {@link io.cellar.server.command.ConnectionSession} holds each
 * connection's store owner and ledger of arenas sent; {@link
 * io.cellar.server.command.RequestFailures} answers, counts and logs every failed request.
 */
package io.cellar.server.command;
