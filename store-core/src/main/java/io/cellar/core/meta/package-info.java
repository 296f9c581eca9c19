/**
 * The object metadata tree of vineyardd: creating objects from their JSON trees, reading them back
 * in the reference's shape, listing, names, labels, persistence and the dependency-based deletion
 * rules. {@link io.cellar.core.meta.MetaTree} is the entry point; {@link
 * io.cellar.core.meta.MetaStore} is the SPI for the backend that holds persisted metadata.
 */
package io.cellar.core.meta;
