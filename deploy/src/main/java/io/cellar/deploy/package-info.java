/** Manifests and the vineyardctl CLI. Not built yet. */
package io.cellar.deploy;
