package io.cellar.core.meta;

import java.util.concurrent.CompletableFuture;

/**
 * The result of a change that is applied to this instance's tree at once and shared with the
 * cluster later: the local result, and the completion of its commit to the metadata backend.
 *
 * @param result what the change did here, valid at once
 * @param committed completes when the backend has the change (at once when nothing was to be
 *     shared, e.g. only transient objects were touched); fails with a {@link
 *     io.cellar.protocol.CellarException} when the commit failed (the local change stays)
 * @param <T> the result type
 */
public record SharedChange<T>(T result, CompletableFuture<Void> committed) {}
