/**
 * The metadata backend seam ({@code --meta}): where an instance registers, commits the metadata it
 * shares with other instances (persisted objects, names, signatures) and learns theirs. The engine
 * is handed a {@link io.cellar.core.meta.backend.MetaBackend}; backends are found by name through
 * {@link java.util.ServiceLoader} ({@link io.cellar.core.meta.backend.MetaBackendProvider}). Types
 * here know nothing of the metadata tree that uses them.
 */
package io.cellar.core.meta.backend;
