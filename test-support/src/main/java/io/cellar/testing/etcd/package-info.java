/**
 * Real etcd processes for tests: {@link io.cellar.testing.etcd.EtcdCluster} starts one or three
 * members of Debian's {@code etcd} on free loopback ports with their own data directories and the
 * fast election flags, and lets a test kill, pause, restart or wipe them.
 */
package io.cellar.testing.etcd;
