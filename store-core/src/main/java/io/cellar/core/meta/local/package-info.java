/**
 * The in-memory metadata backend of {@code --meta=local}: one instance, nothing shared, commits
 * that complete at once. {@link io.cellar.core.meta.local.LocalMetaBackend} is the backend; {@link
 * io.cellar.core.meta.local.LocalMetaBackendProvider} makes it for {@link
 * io.cellar.core.meta.backend.MetaBackends}.
 */
package io.cellar.core.meta.local;
