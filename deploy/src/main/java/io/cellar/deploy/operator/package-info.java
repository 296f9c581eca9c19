/**
 * The operator ({@code vineyardctl manager}): Java Operator SDK reconcilers that turn a {@code
 * Vineyardd} into etcd, vineyardd and their Services, and a {@code CSIDriver} into the CSI driver's
 * workloads and StorageClasses, by server-side apply of the objects {@code io.cellar.deploy.render}
 * renders. A failed child is named in the resource's status and retried; it never stops the
 * operator.
 */
package io.cellar.deploy.operator;
