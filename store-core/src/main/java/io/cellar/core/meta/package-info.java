/**
 * The object metadata tree of vineyardd: creating objects from their JSON trees, reading them back
 * in the reference's shape, listing, names, labels, persistence and the dependency-based deletion
 * rules ({@link io.cellar.core.meta.MetaTree}, {@link io.cellar.core.meta.MetaNames}); sharing
 * changes through a {@link io.cellar.core.meta.backend.MetaBackend} and applying other instances'
 * ({@link io.cellar.core.meta.RemoteChanges}).
 */
package io.cellar.core.meta;
