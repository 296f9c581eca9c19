package io.cellar.server.transport;

import io.cellar.core.Store;
import io.cellar.server.command.CommandDispatcher;
import io.cellar.server.command.ServerCounters;
import java.util.concurrent.Executor;

/**
 * What every connection of one server shares: the store, the dispatcher, the counters, and the
 * worker pool for requests that must not run on an event loop.
 *
 * <p>Immutable; every component is thread-safe.
 *
 * @param store the store
 * @param dispatcher turns frames into replies
 * @param counters connection and request counters
 * @param workers runs offloaded requests
 */
public record ServerResources(
    Store store, CommandDispatcher dispatcher, ServerCounters counters, Executor workers) {}
