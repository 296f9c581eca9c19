/** Cluster-wide metadata in etcd. Not built yet. */
package io.cellar.etcd;
