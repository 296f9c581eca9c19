/**
 * The {@code --meta etcd} backend: {@link io.cellar.etcd.EtcdMetaBackend} keeps the reference
 * vineyardd's etcd key layout ({@code <etcd_prefix>/S<session>/data, names, signatures, instances,
 * next_instance_id}) through jetcd, so Cellar and reference instances share one etcd. Instances
 * register on a lease, heartbeat as the reference does, watch one long-lived stream and re-register
 * when etcd loses its data.
 */
package io.cellar.etcd;
