/**
 * The {@code vineyardctl} command line: today its {@code csi} subcommand, which runs the CSI driver
 * of {@code io.cellar.csi}. Kubernetes manifests and the example pipelines come later.
 */
package io.cellar.deploy;
