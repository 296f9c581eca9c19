/**
 * The {@code vineyardctl} command line: {@code deploy}, {@code delete}, {@code manifests} and
 * {@code manager} (the operator) from {@code io.cellar.deploy.cli}, and {@code csi}, which runs the
 * CSI driver of {@code io.cellar.csi}.
 */
package io.cellar.deploy;
