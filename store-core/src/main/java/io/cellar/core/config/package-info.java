/**
 * How an engine is set up ({@link io.cellar.core.config.StoreConfig}): a leaf package that the
 * {@code Store} facade and the layers below it read, so that no layer has to reach up for it.
 */
package io.cellar.core.config;
