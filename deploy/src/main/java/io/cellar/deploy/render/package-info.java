/**
 * Renders the Kubernetes objects of a vineyard cluster, of the CSI driver and of the operator from
 * the custom resources and flags: pure functions, shared by the operator (which applies them with
 * server-side apply), by {@code vineyardctl deploy vineyard-deployment} and by {@code vineyardctl
 * manifests}.
 */
package io.cellar.deploy.render;
