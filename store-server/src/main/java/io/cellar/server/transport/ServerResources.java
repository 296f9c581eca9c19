package io.cellar.server.transport;

import io.cellar.server.command.CommandDispatcher;
import io.cellar.server.command.ConnectionSession;
import io.cellar.server.command.ServerCounters;
import java.util.concurrent.Executor;

/**
 * What every connection of one server shares: the dispatcher, the opener of per-connection sessions
 * (the command layer's hold on the store; the transport gets no store), the counters, and the
 * worker pool for requests that must not run on an event loop.
 *
 * <p>Immutable; every component is thread-safe.
 *
 * @param dispatcher turns frames into replies
 * @param sessions opens one session per accepted connection
 * @param counters connection and request counters
 * @param workers runs offloaded requests
 */
public record ServerResources(
    CommandDispatcher dispatcher,
    ConnectionSession.Opener sessions,
    ServerCounters counters,
    Executor workers) {}
